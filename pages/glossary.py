"""指标说明: every indicator in the catalog, its formula and its meaning."""
import pandas as pd
import streamlit as st

from unionstats import app, catalog, filters
from unionstats.format import UNITS
from unionstats.i18n import t

f = filters.current()
lang = f.lang
app.header(t("page_glossary", lang), f)
st.caption(t("glossary_help", lang))
for family in catalog.FAMILIES:
    st.subheader(t(f"family_{family}", lang))
    rows = [{
        t("col_code", lang): ind.code,
        t("col_indicator", lang): ind.name(lang),
        t("col_measure", lang): UNITS[ind.unit][1 if lang == "en" else 0].strip() or ("yuan" if lang == "en" else "元"),
        t("col_definition", lang): ind.definition(lang),
        t("col_direction", lang): t({True: "higher_better", False: "lower_better", None: "no_direction"}
                                    [ind.higher_is_better], lang),
    } for ind in catalog.by_family(family)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
