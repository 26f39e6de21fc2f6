"""Date formats the stores read: ISO dates as elsewhere on the pages, month-days without zeros."""
