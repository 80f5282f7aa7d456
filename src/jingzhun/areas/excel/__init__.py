"""The area workbook (区划表): townships and villages with the attributes the exit standards
read, as data a county can load.

columns.py  the layout, derived from the Area model (headers are its Chinese verbose names)
importer.py parse → validate every row → write in one transaction (`import_areas`)
writer.py   template (`template_workbook`) and export (`export_workbook`)
jobs.py     the runner of an import job (`imports` app: the page's uploads)

Cell parsers, the example-row marker, styles and the annotated error copy are `jingzhun.workbook`'s,
shared with the registry workbook: both read and report the same way.
"""

from .importer import AreaImportResult, import_areas
from .writer import export_workbook, template_workbook

__all__ = ["AreaImportResult", "export_workbook", "import_areas", "template_workbook"]
