"""Reports on the stored call records (docs/reports.md): a report is a
:class:`~switchboard.reports.table.Report` value made by one of :data:`.kinds.KINDS`
and rendered by :mod:`.export`; the staffing forecast is docs/forecast.md."""
