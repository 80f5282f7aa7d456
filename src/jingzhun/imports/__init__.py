"""Import jobs (导入任务): a workbook uploaded on a page, checked and written by the request or,
when large, by the task worker, its steps polled, its result and error file kept for its
uploader."""
