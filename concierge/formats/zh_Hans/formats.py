# Django's own zh_Hans month-day format pads the month ("02月17日"); people write 2月17日.
MONTH_DAY_FORMAT = "n月j日"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
