"""Schemas of a zh-rss-posts record: pydantic model (``schemas.record``, the source of truth), HF Features
(``schemas.features``) and pandera models (``schemas.frames``). Import from the module you need: the
package itself imports nothing, so a worker that only builds records never loads ``datasets`` or pandera."""
