"""The pipeline that turns a damaged forum page into an annotated reader site.

Stages, each a function of the previous stage's output:

    sources  -> bytes decoded into text (the only place bytes are read)
    repair   -> mojibake undone, every change recorded
    parse    -> a typed document model (``model.Discussion``)
    annotate -> glossary terms and cross-links found in the model
    render   -> Markdown pages and ``passages.json``

``cli`` wires them together; run it as ``python -m scripts``.
"""
