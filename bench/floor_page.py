"""The floor, for the benchmark only: a page of 5 plotly graph_objects bar charts (12 bars each)
and no data access. A dashboard page cannot rerun faster than Streamlit and plotly allow for its
charts; bench/pages.py reports every page's rerun as a multiple of this page's, measured in the
same run."""
import plotly.graph_objects as go
import streamlit as st

LABELS = [f"乡镇{i:02d}" for i in range(12)]

for i in range(5):
    figure = go.Figure(go.Bar(y=LABELS, x=[(j + 1) * (i + 1) for j in range(12)], orientation="h"))
    figure.update_layout(title=f"图{i + 1}", height=360)
    st.plotly_chart(figure, key=f"floor_{i}")
