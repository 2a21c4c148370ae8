"""User text (county and township names, unit names, meeting notes, file names, URL values) shown
as the text it is. Streamlit renders markdown in titles, captions, alerts, help and many labels
(links, images, `:red[…]` directives, `$…$` maths, bare http:// links); plotly renders a subset
of HTML (<a href>, <b>, <br>) in every label, tick, hover and title. No Streamlit here."""
from __future__ import annotations

import html
import re
import string

# CommonMark lets any ASCII punctuation be backslash-escaped and then shows it literally; escaping
# all of it also breaks Streamlit's own syntax (`:color[…]`, `:material/…:`, `$…$`).
_MD_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# GFM links bare www./http:/e-mail addresses in the rendered text, after escapes are undone: an
# invisible word joiner where such a link would start keeps them plain text.
_LINK_START = re.compile(r"(?i)(?<=www)(?=\.)|(?<=[a-z])(?=:)|(?=@)")


def markdown(text) -> str:
    """`text` escaped for any Streamlit element that renders markdown."""
    return _MD_PUNCTUATION.sub(r"\\\1", _LINK_START.sub("\u2060", str(text)))


def plotly(text) -> str:
    """`text` for a plotly label: plotly shows &lt; &gt; &amp; as < > & and never as a tag."""
    return html.escape(str(text), quote=False)
