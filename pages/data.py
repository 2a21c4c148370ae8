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

view = filters.current()
path = store.db_path()
who = snapshots.user_name() + "（页面）"  # history tells page actions from CLI ones
app.header(view.t("page_data"), view)


def or_stop(action):
    """Run one write of this page; a store error (busy, disk full, changed meanwhile) is shown and
    the run stops: nothing was written."""
    try:
        return action()
    except store.StoreError as exc:
        st.error(escape.markdown(str(exc)))
        st.stop()

st.subheader(view.t("template_title"))
st.caption(view.t("template_help"))
regions_for_template = {} if snapshots.base_is_demo(path) else {"regions": store.query("regions")}
left, right, _ = st.columns([1, 1, 2])
left.download_button(view.t("download_template"), lambda: template.sheet_bytes_of(regions_for_template),
                     "工会统计导入模板.xlsx", exports.XLSX_MIME, icon=":material/download:", key="template_blank")
right.download_button(view.t("download_export"), lambda: template.sheet_bytes_of(template.store_tables()),
                      "工会统计数据导出.xlsx", exports.XLSX_MIME, icon=":material/table:", key="template_export")

st.subheader(view.t("login_title"))
admin = st.session_state.get("admin", False)
bad_hash = auth.bad_hash_message()
if auth.stored_hash() is None:
    st.info(view.t("no_password"), icon=":material/key:")
elif bad_hash:
    st.error(bad_hash, icon=":material/key_off:")
elif admin:
    left, right = st.columns([3, 1])
    left.success(view.t("logged_in"), icon=":material/verified_user:")
    if right.button(view.t("logout"), key="logout"):
        st.session_state["admin"] = False
        st.rerun()
else:
    st.caption(view.t("login_needed"))
    with st.form("login", clear_on_submit=True):
        password = st.text_input(view.t("password"), type="password")
        if st.form_submit_button(view.t("login")):
            # Failures are counted per session and per client address (None on localhost;
            # AppTest hands out a stand-in object), never for the whole server.
            address = st.context.ip_address
            outcome = auth.attempt(password, st.session_state.setdefault("login_session", auth.session_key()),
                                   address if isinstance(address, str) else None)
            if outcome.ok:
                st.session_state["admin"] = True
                st.rerun()
            elif outcome.locked:
                st.error(view.t("login_locked", minutes=math.ceil(outcome.wait / 60)), icon=":material/lock_clock:")
            elif outcome.wait:
                wait = view.t("login_wait", seconds=math.ceil(outcome.wait))
                st.error(wait if not outcome.checked else view.t("login_failed") + " " + wait)
            else:
                st.error(view.t("login_failed"))

if admin:
    st.subheader(view.t("import_title"))
    upload = st.file_uploader(view.t("upload"), type=["xlsx", "xls", "csv"], key="upload")
    st.caption(view.t("import_modes_help"))
    data = upload.getvalue() if upload is not None else None
    digest = hashlib.sha256(data).hexdigest() if data is not None else None
    if digest is not None and st.session_state.get("imported") == digest:
        # Just published: say so, rather than preview the same file against its own result.
        st.success(view.t("imported", file=escape.markdown(upload.name)))
    elif upload is not None:

        def prepared_for(mode: str):
            """The candidate of this file in `mode`, built once; a stale one is dropped."""
            prepared = st.session_state.get("prepared")
            if prepared is not None and prepared.batch.sha256 == digest and prepared.mode == mode:
                return prepared
            if prepared is not None and prepared.candidate is not None:
                snapshots.discard(prepared.candidate)
            bar = st.progress(0.0, text=view.t("checking"))
            try:
                prepared = importing.prepare(path, upload.name, data, who, mode=mode, progress=lambda x, step: bar.progress(
                    min(x, 1.0), text=view.t("checking")))
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
            st.warning(view.t("removals_found", n=len(removed)), icon=":material/person_remove:")
            st.dataframe(removed, hide_index=True, width="stretch")
            mode = st.radio(view.t("import_mode"), importing.MODES, index=None, key=f"import_mode_{digest[:16]}",
                            format_func=lambda m: view.t(f"import_mode_{m}"))
        prepared = prepared_for(mode) if mode is not None else None
        if prepared is None:  # the confirm button waits for a choice
            st.info(view.t("choose_mode"))
        elif prepared.batch.problems:
            st.error(view.t("problems_found", n=len(prepared.batch.problems)))
            problems = prepared.batch.problems_frame()
            st.dataframe(problems.head(500), hide_index=True, width="stretch")
            st.download_button(view.t("download_problems"), exports.csv_bytes(problems),
                               f"问题清单_{upload.name}.csv", exports.CSV_MIME, key="problems_csv")
        elif prepared.no_change:
            st.info(view.t("no_change"))
        if prepared is not None and not prepared.batch.problems and prepared.batch.notices:
            # Total rows dropped, hidden rows and sheets, title rows, ignored columns, doubtful credit codes.
            st.warning(view.t("notices_found", n=len(prepared.batch.notices)), icon=":material/info:")
            st.dataframe(prepared.batch.notices_frame().head(500), hide_index=True, width="stretch")
        if prepared is not None and not prepared.batch.problems and not prepared.no_change \
                and prepared.candidate is not None:
            for warning in prepared.warnings:  # a file named for one township holding another's rows
                st.warning(escape.markdown(warning), icon=":material/warning:")
            counts, changes = importing.preview(prepared)
            st.markdown(f"**{view.t('preview_rows')}**")
            st.dataframe(counts, hide_index=True, width="stretch",  # 400,000 as the figures beside it, not 400000
                         column_config={c: st.column_config.NumberColumn(format="localized")
                                        for c in importing.ROW_COUNT_COLUMNS})
            if len(changes):  # a file of townships, targets or reference figures moves no headline figure
                st.markdown(f"**{view.t('preview_figures')}**")
                units = [catalog.get(c).unit for c in changes["code"]]
                st.dataframe(changes.assign(
                    导入前=[view.number(v, u) for v, u in zip(changes["导入前"], units)],
                    导入后=[view.number(v, u) for v, u in zip(changes["导入后"], units)],
                ).drop(columns="code"), hide_index=True, width="stretch")
            if prepared.candidate.replaced_demo:
                st.warning(view.t("replaces_demo"))
            left, right, _ = st.columns([1, 1, 3])
            if left.button(view.t("confirm_import"), type="primary", key="confirm_import"):
                st.session_state.pop("prepared")
                st.session_state.pop("removals", None)
                # Another session may have published since the preview: then nothing is written.
                or_stop(lambda: snapshots.publish(prepared.candidate))
                st.session_state["imported"] = digest
                st.rerun()
            if right.button(view.t("cancel"), key="cancel_import"):
                snapshots.discard(prepared.candidate)
                st.session_state.pop("prepared")
                st.session_state.pop("removals", None)
                st.rerun()

st.subheader(view.t("report_up_title"))  # 上报: logic in unionstats/reportup.py, like the CLI's report-up
st.caption(view.t("report_up_help"))
if view.year is not None and st.button(view.t("report_up_make", year=view.year), icon=":material/upload_file:",
                                       key="report_up_make"):
    try:
        data, rollup = reportup.report_up(view.year)
        st.session_state["report_up"] = (view.year, data, reportup.file_name(rollup), rollup.warnings)
    except reportup.ReportUpError as exc:
        st.session_state.pop("report_up", None)
        st.error(escape.markdown(str(exc)))
made = st.session_state.get("report_up")
if made and made[0] == view.year:
    for warning in made[3]:
        st.warning(escape.markdown(warning))
    st.download_button(view.t("report_up_download", year=made[0]), made[1], made[2], exports.XLSX_MIME,
                       icon=":material/download:", key="report_up_file")

if admin:  # 各乡镇报送情况 (issue #15): logic in unionstats/collection.py
    from unionstats import collection
    st.subheader(view.t("collect_title"))
    st.caption(view.t("collect_help"))
    collect_years = sorted({*view.years, max(view.years, default=2024) + 1}, reverse=True)
    collect_year = st.selectbox(view.t("collect_year"), collect_years, key="collect_year",
                                index=collect_years.index(max(view.years)) if view.years else 0)
    sheets = or_stop(lambda: collection.status(collect_year))
    counts = sheets["status"].value_counts()
    st.markdown(view.t("collect_counts", year=collect_year, n=len(sheets),
                       **{s: int(counts.get(s, 0)) for s in ("submitted", "returned", "missing")}))
    labels = collection.STATUS_EN if view.en else collection.STATUS_ZH
    st.dataframe(pd.DataFrame({
        "乡镇": sheets["name_zh"], "状态": [labels[s] for s in sheets["status"]],
        "退回说明": [r["note"] if r["status"] == "returned" else "" for r in sheets.to_dict("records")],
        "行数": sheets["rows"],
        "单位数": [view.number(v, "unit") for v in sheets["units"]],
        "职工人数": [view.number(v, "person") for v in sheets["employees"]],
        "会员人数": [view.number(v, "person") for v in sheets["members"]],
        "文件": [collection.source_file(r) for r in sheets.to_dict("records")],
        "导入时间": [collection.shown_time(v) for v in sheets["submitted_at"]],
        "导入人": sheets["submitted_by"].fillna(""),
    }), hide_index=True, width="stretch", height=35 * (len(sheets) + 1) + 3,  # every township, no scrolling
        column_config={"退回说明": st.column_config.TextColumn(width="large")})
    township_names = dict(zip(sheets["region_code"], sheets["name_zh"]))
    left, right = st.columns([1, 1])
    chosen = left.selectbox(view.t("collect_region"), list(township_names), key="collect_region",
                            format_func=township_names.get)
    if chosen:
        right.download_button(
            view.t("collect_download", year=collect_year),
            lambda: collection.township_workbook(chosen, collect_year, path)[0],
            f"{township_names[chosen]}_{collect_year}年报表.xlsx", exports.XLSX_MIME,
            icon=":material/download:", key="collect_download")
    returnable = [c for c, s in zip(sheets["region_code"], sheets["status"]) if s != "missing"]
    with st.expander(view.t("collect_return_title")):
        if not returnable:
            st.caption(view.t("collect_none"))
        else:
            back = st.selectbox(view.t("collect_region"), returnable, key="return_region",
                                format_func=township_names.get)
            why = st.text_input(view.t("collect_note"), key="return_note")
            if st.button(view.t("collect_return"), key="return_sheet", icon=":material/undo:"):
                prepared = or_stop(lambda: importing.write_edit(path, lambda: collection.mark_returned(
                    path, collect_year, back, why, who)))
                if prepared.batch.problems:
                    st.error("\n".join(escape.markdown(p.message) for p in prepared.batch.problems))
                elif prepared.candidate is None:
                    st.info(view.t("no_change"))
                else:
                    st.session_state["return_done"] = township_names[back]
                    st.rerun()
    done_return = st.session_state.pop("return_done", None)
    if done_return:
        st.success(view.t("collect_returned", name=escape.markdown(done_return)))

st.subheader(view.t("history_title"))
records = snapshots.history(path)
if not records:
    st.caption(view.t("no_history"))
else:
    shown = pd.DataFrame([{
        view.t("col_time"): r.get("time", ""), view.t("col_action"): r.get("action", ""),
        view.t("col_snapshot"): r.get("snapshot") or (view.t("base_snapshot") if r.get("outcome") == "published"
                                                         else "—"),  # a refused file made no snapshot
        view.t("col_user"): r.get("user", ""), view.t("col_file"): r.get("file", ""),
        view.t("col_outcome"): r.get("outcome", ""), "sha256": (r.get("sha256") or "")[:12],
        view.t("col_current"): "●" if r.get("current") else "",
    } for r in reversed(records)])
    st.dataframe(shown, hide_index=True, width="stretch")
if admin and snapshots.current_name(path):
    left, right = st.columns([1, 2])
    if left.button(view.t("undo_last"), icon=":material/undo:", key="undo"):
        name = or_stop(lambda: snapshots.undo(path, who))
        st.session_state.pop("imported", None)  # an uploaded file is previewed afresh
        st.success(view.t("undone", name=name or view.t("base_snapshot")))
        st.rerun()
    kept = ["", *reversed(store.layout(path).snapshot_names())]
    with right:
        target = st.selectbox(view.t("go_to_title"), kept, key="go_to_target",
                              format_func=lambda n: n or view.t("base_snapshot"))
        if st.button(view.t("go_to"), key="go_to"):
            or_stop(lambda: snapshots.go_to(path, target, who))
            st.session_state.pop("imported", None)
            st.rerun()

if admin:
    st.subheader(view.t("targets_title"))
    choices = sorted({*view.years, max(view.years, default=2024) + 1}, reverse=True)
    year = st.selectbox(view.t("targets_year"), choices, key="targets_year",
                        index=choices.index(view.year) if view.year in choices else 0)
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
                                "目标值": st.column_config.TextColumn(view.t("col_target"), required=True)})
    notes = store.query("notes", years=(year,))
    county_note = notes.loc[notes["region_code"] == "", "text"]
    note = st.text_area(view.t("note_county"), county_note.iloc[0] if len(county_note) else "",
                        key=f"note_{year}")
    if st.button(view.t("save"), key="save_targets"):
        prepared = or_stop(lambda: importing.write_edit(path, lambda: importing.edit_targets(
            path, year, edited.to_dict("records"), note, who)))
        if prepared.batch.problems:
            st.error("\n".join(escape.markdown(p.line()) for p in prepared.batch.problems))
        elif prepared.candidate is not None:
            st.success(view.t("saved"))
            st.rerun()
        else:
            st.info(view.t("no_change"))

if admin:
    st.subheader(view.t("map_upload_title"))
    stored = maps.outlines()
    st.caption(view.t("map_current", n=len(stored)) if stored else view.t("map_none"))
    if st.session_state.pop("map_saved", False):
        st.success(view.t("map_saved", n=len(stored or {})))
    outline_file = st.file_uploader(view.t("map_upload"), type=["geojson", "json"], key="map_file")
    removing = bool(stored) and st.button(view.t("map_remove"), key="map_remove")
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
            st.info(view.t("no_change"))

if admin:
    st.subheader(view.t("settings_title"))
    with st.form("settings"):
        county_zh = st.text_input(view.t("county_zh"), store.setting("county_name_zh", "") or "")
        county_en = st.text_input(view.t("county_en"), store.setting("county_name_en", "") or "")
        bases = list(importing.YEAR_BASES)
        basis = st.radio(view.t("year_basis"), bases, format_func=lambda b: view.t(b),
                         index=bases.index(store.setting("year_basis", "calendar") or "calendar"))
        rule = attainment.rules()
        near_ratio = st.number_input(view.t("near_ratio"), 1.0, 100.0, rule.near_ratio * 100, 1.0, key="near_ratio")
        near_points = st.number_input(view.t("near_points"), 0.0, 100.0, rule.near_points * 100, 0.1,
                                      key="near_points")
        small_n = st.number_input(view.t("small_n"), 1, 1_000_000, rule.small_n, 1, key="small_n")
        if st.form_submit_button(view.t("save")):
            prepared = or_stop(lambda: importing.write_edit(path, lambda: importing.edit_settings(
                path, county_zh, county_en, basis, who,
                attainment.Rules(near_ratio / 100, near_points / 100, int(small_n)))))
            if prepared.batch.problems:
                st.error("\n".join(escape.markdown(p.line()) for p in prepared.batch.problems))
                st.stop()
            if prepared.candidate is not None:
                st.rerun()
            st.info(view.t("no_change"))

if admin:  # 读工作总结 (issue #16): figures found in a report, confirmed by a person; logic in narrative.py
    from unionstats import indicators, narrative
    st.subheader(view.t("report_title"))
    st.caption(view.t("report_help"))
    done = st.session_state.pop("report_done", None)
    if done:
        st.success(done["message"])
        if done["skipped"]:
            st.info("\n".join([view.t("report_not_stored"), *("- " + escape.markdown(s) for s in done["skipped"])]))
    if st.toggle(view.t("report_title"), key="report_open"):  # off by default: the page stays short
        report = st.file_uploader(view.t("report_upload"), type=["txt", "docx"], key="report_upload")
        pasted = st.text_area(view.t("report_paste"), key="report_paste", height=120)
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
            year = int(left.number_input(view.t("report_year"), 2000, 2100, narrative.report_year(text) or view.year,
                                         key=f"report_year_{digest[:12]}"))
            region = right.selectbox(view.t("report_scope"), ["", *regions], key=f"report_region_{digest[:12]}",
                                     format_func=lambda c: regions.get(c, "") if c else view.t("scope_all"))
            reading = narrative.read_report(text, year)
            if not reading.figures:
                st.info(view.t("report_none"))
            else:
                stored = {}
                if year in view.years:  # the report year's figures in the store, all and non-public only
                    for own in (None, "nonpublic"):
                        scope = indicators.Scope(regions=(region,) if region else None, ownership_group=own)
                        stored.update({(own, c): v for c, v in indicators.summary(year, scope).items()})
                planned = {c: v for (c, r), v in indicators.targets(reading.target_year).items() if r == region}
                rows = narrative.review(reading, stored, planned, region or None, narrative.township_reported(path, year))
                conflicts = {r["figure"].start for r in rows if r["conflict"]}
                with st.container(height=320, border=True):
                    st.markdown(narrative.highlighted(text, reading.figures, conflicts))
                st.caption(view.t("report_legend"))
                for line in reading.unit_mismatches:
                    st.caption(escape.markdown(line))
                if conflicts:
                    st.warning(view.t("report_conflicts", n=len(conflicts)))
                by_name = {i.name_zh: i.code for i in catalog.INDICATORS}
                table = pd.DataFrame({
                    "写入": [r["take"] for r in rows],
                    "类别": ["目标" if r["figure"].kind == "target" else "实际" for r in rows],
                    "年度": [str(r["figure"].year) for r in rows],
                    "指标": [catalog.get(r["figure"].code).name_zh for r in rows],
                    "数值": [narrative.editable(r["figure"].code, r["figure"].value) for r in rows],
                    "限定": [(r["figure"].qualifier or "") + ("（非公企业）" if r["figure"].ownership else "")
                           for r in rows],
                    "库中": [view.number(r["stored"], catalog.get(r["figure"].code).unit) for r in rows],
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
                if st.button(view.t("report_confirm"), type="primary", key="report_confirm"):
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
                        message = view.t("report_written", n=len(items) - len(skipped),
                                         name=prepared.candidate.file.name)
                    else:
                        message = view.t("no_change") if prepared.no_change else view.t("report_nothing")
                    st.session_state["report_done"] = {"message": message, "skipped": [
                        f"{catalog.get(i['code']).name_zh} {narrative.editable(i['code'], i['value'])}：{why}"
                        for i, why in skipped]}
                    st.rerun()
