"""数据管理: template, validated import with preview, history and undo, targets and notes.
Viewing needs no login; every write needs the administrator password."""
import hashlib
import math

import pandas as pd
import streamlit as st

from unionstats import (app, attainment, auth, catalog, escape, exports, filters, importing, maps, names, reportup,
                        snapshots, store, template)
from unionstats import format as fmt
from unionstats.i18n import t

f = filters.current()
lang = f.lang
path = store.db_path()
who = snapshots.user_name() + "（页面）"  # history tells page actions from CLI ones
app.header(t("page_data", lang), f)


def or_stop(action):
    """Run one write of this page; a store error (busy, disk full, changed meanwhile) is shown and
    the run stops: nothing was written."""
    try:
        return action()
    except store.StoreError as exc:
        st.error(escape.markdown(str(exc)))
        st.stop()

st.subheader(t("template_title", lang))
st.caption(t("template_help", lang))
regions_for_template = {} if snapshots.base_is_demo(path) else {"regions": store.query("regions")}
left, right, _ = st.columns([1, 1, 2])
left.download_button(t("download_template", lang), lambda: template.sheet_bytes_of(regions_for_template),
                     "工会统计导入模板.xlsx", exports.XLSX_MIME, icon=":material/download:", key="template_blank")
right.download_button(t("download_export", lang), lambda: template.sheet_bytes_of(template.store_tables()),
                      "工会统计数据导出.xlsx", exports.XLSX_MIME, icon=":material/table:", key="template_export")

st.subheader(t("login_title", lang))
admin = st.session_state.get("admin", False)
bad_hash = auth.bad_hash_message()
if auth.stored_hash() is None:
    st.info(t("no_password", lang), icon=":material/key:")
elif bad_hash:
    st.error(bad_hash, icon=":material/key_off:")
elif admin:
    left, right = st.columns([3, 1])
    left.success(t("logged_in", lang), icon=":material/verified_user:")
    if right.button(t("logout", lang), key="logout"):
        st.session_state["admin"] = False
        st.rerun()
else:
    st.caption(t("login_needed", lang))
    with st.form("login", clear_on_submit=True):
        password = st.text_input(t("password", lang), type="password")
        if st.form_submit_button(t("login", lang)):
            # Failures are counted per session and per client address (None on localhost;
            # AppTest hands out a stand-in object), never for the whole server.
            address = st.context.ip_address
            outcome = auth.attempt(password, st.session_state.setdefault("login_session", auth.session_key()),
                                   address if isinstance(address, str) else None)
            if outcome.ok:
                st.session_state["admin"] = True
                st.rerun()
            elif outcome.locked:
                st.error(t("login_locked", lang, minutes=math.ceil(outcome.wait / 60)), icon=":material/lock_clock:")
            elif outcome.wait:
                wait = t("login_wait", lang, seconds=math.ceil(outcome.wait))
                st.error(wait if not outcome.checked else t("login_failed", lang) + " " + wait)
            else:
                st.error(t("login_failed", lang))

if admin:
    st.subheader(t("import_title", lang))
    upload = st.file_uploader(t("upload", lang), type=["xlsx", "xls", "csv"], key="upload")
    st.caption(t("import_modes_help", lang))
    data = upload.getvalue() if upload is not None else None
    digest = hashlib.sha256(data).hexdigest() if data is not None else None
    if digest is not None and st.session_state.get("imported") == digest:
        # Just published: say so, rather than preview the same file against its own result.
        st.success(t("imported", lang, file=escape.markdown(upload.name)))
    elif upload is not None:

        def prepared_for(mode: str):
            """The candidate of this file in `mode`, built once; a stale one is dropped."""
            prepared = st.session_state.get("prepared")
            if prepared is not None and prepared.batch.sha256 == digest and prepared.mode == mode:
                return prepared
            if prepared is not None and prepared.candidate is not None:
                snapshots.discard(prepared.candidate)
            bar = st.progress(0.0, text=t("checking", lang))
            try:
                prepared = importing.prepare(path, upload.name, data, who, mode=mode, progress=lambda x, step: bar.progress(
                    min(x, 1.0), text=t("checking", lang)))
            except store.StoreError as exc:  # busy, disk full, no permission: nothing was written
                bar.empty()
                st.session_state.pop("prepared", None)
                st.error(escape.markdown(str(exc)))
                st.stop()
            bar.empty()
            st.session_state["prepared"] = prepared
            return prepared

        # Replace first: its removals decide whether the user must choose between replace and merge.
        removals = st.session_state.get("removals")
        if removals is None or removals[0] != digest:
            first = prepared_for("replace")
            removals = (digest, importing.removals(first))
            st.session_state["removals"] = removals
        removed = removals[1]
        mode = "replace"
        if len(removed):
            st.warning(t("removals_found", lang, n=len(removed)), icon=":material/person_remove:")
            st.dataframe(removed, hide_index=True, width="stretch")
            mode = st.radio(t("import_mode", lang), importing.MODES, index=None, key=f"import_mode_{digest[:16]}",
                            format_func=lambda m: t(f"import_mode_{m}", lang))
        prepared = prepared_for(mode) if mode is not None else None
        if prepared is None:  # the confirm button waits for a choice
            st.info(t("choose_mode", lang))
        elif prepared.batch.problems:
            st.error(t("problems_found", lang, n=len(prepared.batch.problems)))
            problems = prepared.batch.problems_frame()
            st.dataframe(problems.head(500), hide_index=True, width="stretch")
            st.download_button(t("download_problems", lang), exports.csv_bytes(problems),
                               f"问题清单_{upload.name}.csv", exports.CSV_MIME, key="problems_csv")
        elif prepared.no_change:
            st.info(t("no_change", lang))
        if prepared is not None and not prepared.batch.problems and prepared.batch.notices:
            # Total rows dropped, hidden rows and sheets, title rows, ignored columns, doubtful credit codes.
            st.warning(t("notices_found", lang, n=len(prepared.batch.notices)), icon=":material/info:")
            st.dataframe(prepared.batch.notices_frame().head(500), hide_index=True, width="stretch")
        if prepared is not None and not prepared.batch.problems and not prepared.no_change \
                and prepared.candidate is not None:
            counts, changes = importing.preview(prepared)
            st.markdown(f"**{t('preview_rows', lang)}**")
            st.dataframe(counts, hide_index=True, width="stretch")
            if len(changes):  # a file of townships, targets or reference figures moves no headline figure
                st.markdown(f"**{t('preview_figures', lang)}**")
                units = [catalog.get(c).unit for c in changes["code"]]
                st.dataframe(changes.assign(
                    导入前=[fmt.fmt_number(v, u, lang) for v, u in zip(changes["导入前"], units)],
                    导入后=[fmt.fmt_number(v, u, lang) for v, u in zip(changes["导入后"], units)],
                ).drop(columns="code"), hide_index=True, width="stretch")
            if prepared.candidate.replaced_demo:
                st.warning(t("replaces_demo", lang))
            left, right, _ = st.columns([1, 1, 3])
            if left.button(t("confirm_import", lang), type="primary", key="confirm_import"):
                st.session_state.pop("prepared")
                st.session_state.pop("removals", None)
                # Another session may have published since the preview: then nothing is written.
                or_stop(lambda: snapshots.publish(prepared.candidate))
                st.session_state["imported"] = digest
                st.rerun()
            if right.button(t("cancel", lang), key="cancel_import"):
                snapshots.discard(prepared.candidate)
                st.session_state.pop("prepared")
                st.session_state.pop("removals", None)
                st.rerun()

st.subheader(t("report_up_title", lang))  # 上报: logic in unionstats/reportup.py, like the CLI's report-up
st.caption(t("report_up_help", lang))
if f.year is not None and st.button(t("report_up_make", lang, year=f.year), icon=":material/upload_file:",
                                    key="report_up_make"):
    try:
        data, rollup = reportup.report_up(f.year)
        st.session_state["report_up"] = (f.year, data, reportup.file_name(rollup), rollup.warnings)
    except reportup.ReportUpError as exc:
        st.session_state.pop("report_up", None)
        st.error(escape.markdown(str(exc)))
made = st.session_state.get("report_up")
if made and made[0] == f.year:
    for warning in made[3]:
        st.warning(escape.markdown(warning))
    st.download_button(t("report_up_download", lang, year=made[0]), made[1], made[2], exports.XLSX_MIME,
                       icon=":material/download:", key="report_up_file")

if admin:  # 各乡镇报送情况 (issue #15): logic in unionstats/collection.py
    from unionstats import collection
    st.subheader(t("collect_title", lang))
    st.caption(t("collect_help", lang))
    collect_years = sorted({*f.years, max(f.years, default=2024) + 1}, reverse=True)
    collect_year = st.selectbox(t("collect_year", lang), collect_years, key="collect_year",
                                index=collect_years.index(max(f.years)) if f.years else 0)
    sheets = or_stop(lambda: collection.status(collect_year))
    counts = sheets["status"].value_counts()
    st.markdown(t("collect_counts", lang, year=collect_year, n=len(sheets),
                  **{s: int(counts.get(s, 0)) for s in ("submitted", "returned", "missing")}))
    labels = collection.STATUS_EN if lang == "en" else collection.STATUS_ZH
    st.dataframe(pd.DataFrame({
        "乡镇": sheets["name_zh"], "状态": [labels[s] for s in sheets["status"]],
        "退回说明": [r["note"] if r["status"] == "returned" else "" for r in sheets.to_dict("records")],
        "行数": sheets["rows"],
        "单位数": [fmt.fmt_number(v, "unit", lang) for v in sheets["units"]],
        "职工人数": [fmt.fmt_number(v, "person", lang) for v in sheets["employees"]],
        "会员人数": [fmt.fmt_number(v, "person", lang) for v in sheets["members"]],
        "文件": [collection.source_file(r) for r in sheets.to_dict("records")],
        "导入时间": [collection.shown_time(v) for v in sheets["submitted_at"]],
        "导入人": sheets["submitted_by"].fillna(""),
    }), hide_index=True, width="stretch", height=35 * (len(sheets) + 1) + 3,  # every township, no scrolling
        column_config={"退回说明": st.column_config.TextColumn(width="large")})
    township_names = dict(zip(sheets["region_code"], sheets["name_zh"]))
    left, right = st.columns([1, 1])
    chosen = left.selectbox(t("collect_region", lang), list(township_names), key="collect_region",
                            format_func=township_names.get)
    if chosen:
        right.download_button(
            t("collect_download", lang, year=collect_year),
            lambda: collection.township_workbook(chosen, collect_year, path)[0],
            f"{township_names[chosen]}_{collect_year}年报表.xlsx", exports.XLSX_MIME,
            icon=":material/download:", key="collect_download")
    returnable = [c for c, s in zip(sheets["region_code"], sheets["status"]) if s != "missing"]
    with st.expander(t("collect_return_title", lang)):
        if not returnable:
            st.caption(t("collect_none", lang))
        else:
            back = st.selectbox(t("collect_region", lang), returnable, key="return_region",
                                format_func=township_names.get)
            why = st.text_input(t("collect_note", lang), key="return_note")
            if st.button(t("collect_return", lang), key="return_sheet", icon=":material/undo:"):
                prepared = or_stop(lambda: importing.write_edit(path, lambda: collection.mark_returned(
                    path, collect_year, back, why, who)))
                if prepared.batch.problems:
                    st.error("\n".join(escape.markdown(p.message) for p in prepared.batch.problems))
                elif prepared.candidate is None:
                    st.info(t("no_change", lang))
                else:
                    st.session_state["return_done"] = township_names[back]
                    st.rerun()
    done_return = st.session_state.pop("return_done", None)
    if done_return:
        st.success(t("collect_returned", lang, name=escape.markdown(done_return)))

st.subheader(t("history_title", lang))
records = snapshots.history(path)
if not records:
    st.caption(t("no_history", lang))
else:
    shown = pd.DataFrame([{
        t("col_time", lang): r.get("time", ""), t("col_action", lang): r.get("action", ""),
        t("col_snapshot", lang): r.get("snapshot") or (t("base_snapshot", lang) if r.get("outcome") == "published"
                                                         else "—"),  # a refused file made no snapshot
        t("col_user", lang): r.get("user", ""), t("col_file", lang): r.get("file", ""),
        t("col_outcome", lang): r.get("outcome", ""), "sha256": (r.get("sha256") or "")[:12],
        t("col_current", lang): "●" if r.get("current") else "",
    } for r in reversed(records)])
    st.dataframe(shown, hide_index=True, width="stretch")
if admin and snapshots.current_name(path):
    left, right = st.columns([1, 2])
    if left.button(t("undo_last", lang), icon=":material/undo:", key="undo"):
        name = or_stop(lambda: snapshots.undo(path, who))
        st.session_state.pop("imported", None)  # an uploaded file is previewed afresh
        st.success(t("undone", lang, name=name or t("base_snapshot", lang)))
        st.rerun()
    kept = ["", *reversed(store.layout(path).snapshot_names())]
    with right:
        target = st.selectbox(t("go_to_title", lang), kept, key="go_to_target",
                              format_func=lambda n: n or t("base_snapshot", lang))
        if st.button(t("go_to", lang), key="go_to"):
            or_stop(lambda: snapshots.go_to(path, target, who))
            st.session_state.pop("imported", None)
            st.rerun()

if admin:
    st.subheader(t("targets_title", lang))
    choices = sorted({*f.years, max(f.years, default=2024) + 1}, reverse=True)
    year = st.selectbox(t("targets_year", lang), choices, key="targets_year",
                        index=choices.index(f.year) if f.year in choices else 0)
    regions = names.region_names("zh")
    current = store.query("targets", years=(year,))
    rows = pd.DataFrame({
        "指标": [catalog.get(c).name_zh if c in catalog.BY_CODE else c for c in current["indicator"]],
        "乡镇": [regions.get(r, t("scope_all", "zh")) for r in current["region_code"]],
        "目标值": [fmt.fmt_editable(v, catalog.get(c).unit if c in catalog.BY_CODE else "unit")
                 for c, v in zip(current["indicator"], current["value"])],
    })
    edited = st.data_editor(rows, num_rows="dynamic", hide_index=True, width="stretch", key=f"targets_{year}",
                            column_config={
                                "指标": st.column_config.SelectboxColumn(
                                    options=[i.name_zh for i in catalog.INDICATORS], required=True),
                                "乡镇": st.column_config.SelectboxColumn(
                                    options=[t("scope_all", "zh"), *regions.values()]),
                                "目标值": st.column_config.TextColumn(t("col_target", lang), required=True)})
    notes = store.query("notes", years=(year,))
    county_note = notes.loc[notes["region_code"] == "", "text"]
    note = st.text_area(t("note_county", lang), county_note.iloc[0] if len(county_note) else "",
                        key=f"note_{year}")
    if st.button(t("save", lang), key="save_targets"):
        prepared = or_stop(lambda: importing.write_edit(path, lambda: importing.edit_targets(
            path, year, edited.to_dict("records"), note, who)))
        if prepared.batch.problems:
            st.error("\n".join(escape.markdown(p.line()) for p in prepared.batch.problems))
        elif prepared.candidate is not None:
            st.success(t("saved", lang))
            st.rerun()
        else:
            st.info(t("no_change", lang))

if admin:
    st.subheader(t("map_upload_title", lang))
    stored = maps.outlines()
    st.caption(t("map_current", lang, n=len(stored)) if stored else t("map_none", lang))
    if st.session_state.pop("map_saved", False):
        st.success(t("map_saved", lang, n=len(stored or {})))
    outline_file = st.file_uploader(t("map_upload", lang), type=["geojson", "json"], key="map_file")
    removing = bool(stored) and st.button(t("map_remove", lang), key="map_remove")
    fresh = outline_file is not None and st.session_state.get("map_file_done") != outline_file.file_id
    if fresh or removing:  # each uploaded file is read once, not again on every rerun
        if outline_file is not None:
            st.session_state["map_file_done"] = outline_file.file_id
        upload = outline_file.getvalue() if fresh and not removing else None
        prepared = or_stop(lambda: importing.write_edit(path, lambda: importing.edit_map(
            path, outline_file.name if upload else "删除乡镇边界", upload, who)))
        if prepared.batch.problems:
            st.error("\n\n".join(escape.markdown(p.line()) for p in prepared.batch.problems))
        elif prepared.candidate is not None:
            st.session_state["map_saved"] = bool(upload)
            st.rerun()
        else:
            st.info(t("no_change", lang))

if admin:
    st.subheader(t("settings_title", lang))
    with st.form("settings"):
        county_zh = st.text_input(t("county_zh", lang), store.setting("county_name_zh", "") or "")
        county_en = st.text_input(t("county_en", lang), store.setting("county_name_en", "") or "")
        bases = list(importing.YEAR_BASES)
        basis = st.radio(t("year_basis", lang), bases, format_func=lambda b: t(b, lang),
                         index=bases.index(store.setting("year_basis", "calendar") or "calendar"))
        rule = attainment.rules()
        near_ratio = st.number_input(t("near_ratio", lang), 1.0, 100.0, rule.near_ratio * 100, 1.0, key="near_ratio")
        near_points = st.number_input(t("near_points", lang), 0.0, 100.0, rule.near_points * 100, 0.1,
                                      key="near_points")
        small_n = st.number_input(t("small_n", lang), 1, 1_000_000, rule.small_n, 1, key="small_n")
        if st.form_submit_button(t("save", lang)):
            prepared = or_stop(lambda: importing.write_edit(path, lambda: importing.edit_settings(
                path, county_zh, county_en, basis, who,
                attainment.Rules(near_ratio / 100, near_points / 100, int(small_n)))))
            if prepared.batch.problems:
                st.error("\n".join(escape.markdown(p.line()) for p in prepared.batch.problems))
                st.stop()
            if prepared.candidate is not None:
                st.rerun()
            st.info(t("no_change", lang))

if admin:  # 读工作总结 (issue #16): figures found in a report, confirmed by a person; logic in narrative.py
    from unionstats import indicators, narrative
    st.subheader(t("report_title", lang))
    st.caption(t("report_help", lang))
    done = st.session_state.pop("report_done", None)
    if done:
        st.success(done["message"])
        if done["skipped"]:
            st.info("\n".join([t("report_not_stored", lang), *("- " + escape.markdown(s) for s in done["skipped"])]))
    if st.toggle(t("report_title", lang), key="report_open"):  # off by default: the page stays short
        report = st.file_uploader(t("report_upload", lang), type=["txt", "docx"], key="report_upload")
        pasted = st.text_area(t("report_paste", lang), key="report_paste", height=120)
        text = report_name = None
        report_bytes = b""
        if report is not None:
            report_name, report_bytes = report.name, report.getvalue()
            try:
                text = narrative.read_text(report_name, report_bytes)
            except narrative.ReportError as exc:
                st.error(escape.markdown(str(exc)))
        elif pasted.strip():
            text, report_name, report_bytes = pasted, "粘贴的文本", pasted.encode("utf-8")
        if text:
            digest = hashlib.sha256(report_bytes).hexdigest()
            regions = names.region_names("zh")
            left, right = st.columns(2)
            year = int(left.number_input(t("report_year", lang), 2000, 2100, narrative.report_year(text) or f.year,
                                         key=f"report_year_{digest[:12]}"))
            region = right.selectbox(t("report_scope", lang), ["", *regions], key=f"report_region_{digest[:12]}",
                                     format_func=lambda c: regions.get(c, "") if c else t("scope_all", lang))
            reading = narrative.read_report(text, year)
            if not reading.figures:
                st.info(t("report_none", lang))
            else:
                stored = {}
                if year in f.years:  # the report year's figures in the store, all and non-public only
                    for own in (None, "nonpublic"):
                        scope = indicators.Scope(regions=(region,) if region else None, ownership_group=own)
                        stored.update({(own, c): v for c, v in indicators.summary(year, scope).items()})
                planned = {c: v for (c, r), v in indicators.targets(reading.target_year).items() if r == region}
                rows = narrative.review(reading, stored, planned, region or None, narrative.township_reported(path, year))
                conflicts = {r["figure"].start for r in rows if r["conflict"]}
                with st.container(height=320, border=True):
                    st.markdown(narrative.highlighted(text, reading.figures, conflicts))
                st.caption(t("report_legend", lang))
                for line in reading.unit_mismatches:
                    st.caption(escape.markdown(line))
                if conflicts:
                    st.warning(t("report_conflicts", lang, n=len(conflicts)))
                by_name = {i.name_zh: i.code for i in catalog.INDICATORS}
                table = pd.DataFrame({
                    "写入": [r["take"] for r in rows],
                    "类别": ["目标" if r["figure"].kind == "target" else "实际" for r in rows],
                    "年度": [str(r["figure"].year) for r in rows],
                    "指标": [catalog.get(r["figure"].code).name_zh for r in rows],
                    "数值": [narrative.editable(r["figure"].code, r["figure"].value) for r in rows],
                    "限定": [(r["figure"].qualifier or "") + ("（非公企业）" if r["figure"].ownership else "")
                           for r in rows],
                    "库中": [fmt.fmt_number(r["stored"], catalog.get(r["figure"].code).unit, lang) for r in rows],
                    "核对": ["⚠ 不符" if r["conflict"] else "将替换" if r["replaces"] else
                           ("✓" if r["stored"] is not None else "") for r in rows],
                    "存放": ["可写入" if r["reason"] is None else "暂不能写入" for r in rows],
                    "原文": [r["figure"].sentence for r in rows],
                })
                edited = st.data_editor(
                    table, hide_index=True, width="stretch", key=f"report_rows_{digest[:12]}_{year}_{region}",
                    disabled=["类别", "年度", "限定", "库中", "核对", "存放", "原文"],
                    column_config={**{c: st.column_config.Column(width="small")
                                      for c in ("类别", "年度", "限定", "库中", "核对", "存放")},
                                   "写入": st.column_config.CheckboxColumn(width="small"),
                                   "指标": st.column_config.SelectboxColumn(options=list(by_name), required=True,
                                                                          width="medium"),
                                   "数值": st.column_config.TextColumn(required=True, width="small"),
                                   "原文": st.column_config.Column(width="large")})
                reasons = sorted({r["reason"] for r in rows if r["reason"]})
                if reasons:
                    st.caption("\n".join(["暂不能写入的原因：", *("- " + escape.markdown(x) for x in reasons)]))
                if st.button(t("report_confirm", lang), type="primary", key="report_confirm"):
                    items, problems = narrative.confirmed_items(
                        [{"take": bool(r["写入"]), "code": by_name.get(r["指标"]), "value": r["数值"]}
                         for r in edited.to_dict("records")], reading.figures)
                    if problems:
                        st.error("\n".join("- " + escape.markdown(p) for p in problems))
                        st.stop()
                    prepared, skipped = or_stop(lambda: importing.write_edit(path, lambda: narrative.prepare_import(
                        path, items, region or None, report_name, digest, who)))
                    if prepared.batch.problems:
                        st.error("\n".join("- " + escape.markdown(p.line()) for p in prepared.batch.problems))
                        st.stop()
                    if prepared.candidate is not None:
                        message = t("report_written", lang, n=len(items) - len(skipped),
                                    name=prepared.candidate.file.name)
                    else:
                        message = t("no_change", lang) if prepared.no_change else t("report_nothing", lang)
                    st.session_state["report_done"] = {"message": message, "skipped": [
                        f"{catalog.get(i['code']).name_zh} {narrative.editable(i['code'], i['value'])}：{why}"
                        for i, why in skipped]}
                    st.rerun()
