"""One module per site family; each defines a ``Cleaner`` subclass decorated with ``@register``."""
