"""Small constants the view tests share."""

# What htmx sends with every request it makes: views answer it with a partial.
HTMX = {"HTTP_HX_REQUEST": "true"}
