"""Reports and KPIs on the stored call records (docs/forecast.md for the staffing forecast)."""
