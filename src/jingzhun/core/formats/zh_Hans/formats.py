"""Number formats of Chinese pages (settings.FORMAT_MODULE_PATH): official documents group
digits by three with a comma (8,620), where Django's zh_Hans formats group by four with no
separator (8620). Only the names set here replace Django's; dates stay as Django has them.

Grouping applies where a template asks for it (`intcomma`): USE_THOUSAND_SEPARATOR stays off,
so years (2018), area codes and household numbers are never grouped.
"""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
