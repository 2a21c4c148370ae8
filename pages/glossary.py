"""指标说明: every indicator in the catalog, its formula and its meaning."""
import pandas as pd
import streamlit as st

from unionstats import app, catalog, filters
from unionstats.format import unit_label
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
        t("col_measure", lang): unit_label(ind.unit, lang),
        t("col_definition", lang): ind.definition(lang),
        t("col_direction", lang): t({True: "higher_better", False: "lower_better", None: "no_direction"}
                                    [ind.higher_is_better], lang),
    } for ind in catalog.by_family(family)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=40 + 35 * len(rows))  # no inner scroll
