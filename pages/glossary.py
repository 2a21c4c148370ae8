"""指标说明: every indicator in the catalog, its formula and its meaning."""
import pandas as pd
import streamlit as st

from unionstats import app, catalog, filters

view = filters.current()
app.header(view.t("page_glossary"), view)
st.caption(view.t("glossary_help"))
for family in catalog.FAMILIES:
    st.subheader(view.t(f"family_{family}"))
    rows = [{
        view.t("col_code"): ind.code,
        view.t("col_indicator"): view.name(ind.code),
        view.t("col_measure"): view.unit_label(ind.unit),
        view.t("col_definition"): view.definition(ind.code),
        view.t("col_direction"): view.t({True: "higher_better", False: "lower_better", None: "no_direction"}
                                        [ind.higher_is_better]),
    } for ind in catalog.by_family(family)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=40 + 35 * len(rows))  # no inner scroll
