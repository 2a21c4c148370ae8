"""Command line: the same functions the pages call. `python -m unionstats --help`."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from . import arguments, auth, catalog, demo, exports, gaps, importing, indicators, snapshots, store, template
from .format import fmt_number
from .view import View

USAGE_ERROR = 2
SHOWN_PROBLEMS = 100
STORE_ERROR = 1


class UsageError(Exception):
    """Bad argument value: one line on stderr, exit code 2."""


def _db(args) -> Path:
    return Path(args.db) if args.db else store.db_path()


def _cmd_demo(args) -> int:
    path = _db(args)

    def progress(fraction: float, step: str) -> None:
        print(f"\r生成示例数据库… {fraction:4.0%} {step:<12}", end="", file=sys.stderr, flush=True)

    demo.build(path, units=demo.SCALES[args.scale] if args.scale else args.units, progress=progress)
    print(f"\n示例数据库已生成：{path}", file=sys.stderr)
    return 0


def _scope_from_args(args, path: Path) -> indicators.Scope:
    known_years = indicators.years(path)
    if args.year not in known_years:
        span = f"{known_years[0]}–{known_years[-1]}" if known_years else "无"
        raise UsageError(f"没有 {args.year} 年的数据（已有年度：{span}）")
    regions = None
    if args.region:
        codes = set(store.query("regions", path=path)["code"])
        if args.region not in codes:
            raise UsageError(f"未知乡镇代码：{args.region}（可用：{', '.join(sorted(codes))}）")
        regions = (args.region,)
    return indicators.Scope(regions=regions, industries=_industries(args.industry, path),
                            ownership_group=args.ownership)


def _industries(given: list[str] | None, path: Path) -> tuple[str, ...] | None:
    """--industry (repeatable): GB/T 4754 section codes or names (C, c, 制造业, Manufacturing), as
    the sidebar's industry filter holds them: codes in the store's order; None for all."""
    if not given:
        return None
    table = store.query("industries", path=path)
    known = {str(word).strip().casefold(): code for code, zh, en in zip(table["code"], table["name_zh"], table["name_en"])
             for word in (code, zh, en)}
    unknown = [value for value in given if value.strip().casefold() not in known]
    if unknown:
        choices = "；".join(f"{c} {n}" for c, n in zip(table["code"], table["name_zh"]))
        raise UsageError(f"未知行业：{'、'.join(unknown)}（可用代码或名称：{choices}）")
    wanted = {known[value.strip().casefold()] for value in given}
    return tuple(code for code in table["code"] if code in wanted)


def _cmd_summary(args) -> int:
    path = _db(args)
    scope = _scope_from_args(args, path)
    values = indicators.summary(args.year, scope, path)
    if args.json:
        print(json.dumps(values, ensure_ascii=False))
        return 0
    for ind in catalog.INDICATORS:
        print(f"{ind.name_zh:<16}\t{fmt_number(values[ind.code], ind.unit)}\t{ind.code}")
    return 0


def _cmd_gaps(args) -> int:
    path = _db(args)
    scope = _scope_from_args(args, path)
    frame = gaps.uncovered_table(args.year, scope, args.min_employees, path=path)
    if args.csv:
        sys.stdout.write(exports.csv_text(frame))
        return 0
    s = gaps.summary(args.year, scope, args.min_employees, path)
    print(f"{args.year}年 {args.min_employees}人以上未建会单位 {fmt_number(s['gap_units'], 'unit')}，"
          f"涉及职工 {fmt_number(s['gap_employees'], 'person')}；若全部建会，建会率 "
          f"{fmt_number(s['unionization_rate'], 'rate')} → {fmt_number(s['unionization_rate_if_joined'], 'rate')}")
    print(frame.to_string(index=False))
    return 0


def _cmd_template(args) -> int:
    if args.region or args.year:
        return _township_template(args)
    tables = template.store_tables(_db(args)) if args.with_data else {
        "regions": store.query("regions", path=_db(args))} if store.resolve(_db(args)).exists() else None
    out = template.write(Path(args.out), tables)
    print(f"模板已写入：{out}", file=sys.stderr)
    return 0


def _township_template(args) -> int:
    """template --region CODE --year Y: one township's workbook for year Y (issue #15)."""
    from . import collection
    if not (args.region and args.year):
        raise UsageError("乡镇报表须同时指定 --region（乡镇代码或名称）和 --year（报送年度）")
    if args.with_data:
        raise UsageError("--with-data 导出全县数据，不能与 --region 同用")
    path = _db(args)
    if collection.find_region(args.region, path) is None:
        codes = ", ".join(store.query("regions", path=path)["code"])
        raise UsageError(f"未知乡镇：{args.region}（可用：{codes}）")
    data, last, listed = collection.township_workbook(args.region, args.year, path)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    where = f"列出 {last} 年的 {listed} 行" if last is not None else "以前没有报送过，表为空"
    print(f"乡镇报表已写入：{out}（{where}）", file=sys.stderr)
    return 0


def _cmd_status(args) -> int:
    """status --year Y: which townships sent that year's sheet; --return CODE --note: 退回修改 (issue #15)."""
    from . import collection
    path = _db(args)
    if args.return_region:
        if not args.note or not args.note.strip():
            raise UsageError("退回修改须用 --note 写明原因")
        prepared = importing.write_edit(path, lambda: collection.mark_returned(
            path, args.year, args.return_region, args.note))
        if prepared.batch.problems:
            raise UsageError("；".join(p.message for p in prepared.batch.problems))
        if prepared.candidate is None:
            print("该乡镇已是退回修改，说明相同，没有任何改动。", file=sys.stderr)
        else:
            print(f"已退回修改：{args.return_region} {args.year} 年（快照 {prepared.candidate.file.name}；"
                  f"撤销：python -m unionstats undo）", file=sys.stderr)
    if args.json:
        print(json.dumps(collection.status_json(args.year, path), ensure_ascii=False))
        return 0
    frame = collection.status(args.year, path)
    for r in frame.to_dict("records"):
        totals = "" if r["status"] == "missing" and not r["rows"] else (
            f"{r['rows']} 行  单位 {fmt_number(r['units'], 'unit')}  职工 {fmt_number(r['employees'], 'person')}"
            f"  会员 {fmt_number(r['members'], 'person')}")
        source = collection.source_line(r)
        print(f"{r['name_zh']}\t{collection.STATUS_ZH[r['status']]}\t{totals}\t{source}")
    done = int((frame["status"] == "submitted").sum())
    print(f"{args.year} 年：{len(frame)} 个乡镇，已报送 {done}，退回修改 {int((frame['status'] == 'returned').sum())}，"
          f"未报送 {int((frame['status'] == 'missing').sum())}")
    return 0


def _cmd_import(args) -> int:
    path = _db(args)
    file = Path(args.file)
    if not file.is_file():
        raise UsageError(f"找不到文件：{file}")
    if args.dry_run:  # the candidate is built in a scratch folder: the store is not touched
        with tempfile.TemporaryDirectory(prefix="unionstats-dry-run-") as scratch:
            return _import(args, path, file, Path(scratch))
    # Held from the candidate's build to the pointer switch: a second import waits its turn,
    # so what this process reports is what is in force when it exits.
    with snapshots.writer_lock(path):
        return _import(args, path, file, None)


def _removal_lines(removed) -> list[str]:
    return [f"  {r.年度}年 · {r.乡镇} · {r.单位名称}" + (f"（{r.统一社会信用代码}）" if r.统一社会信用代码 else "")
            for r in removed.itertuples(index=False)]


def _import(args, path: Path, file: Path, scratch: Path | None) -> int:
    mode = "merge" if args.merge else "replace"
    prepared = importing.prepare(path, file.name, file.read_bytes(), scratch=scratch, mode=mode)
    if prepared.batch.problems:
        problems = prepared.batch.problems
        print(f"发现 {len(problems)} 个问题，数据库没有任何改动：", file=sys.stderr)
        for problem in problems[:SHOWN_PROBLEMS]:
            print("  " + problem.line(), file=sys.stderr)
        if args.problems:
            Path(args.problems).write_bytes(exports.csv_bytes(prepared.batch.problems_frame()))
            print(f"全部问题已写入：{args.problems}", file=sys.stderr)
        elif len(problems) > SHOWN_PROBLEMS:
            print(f"  …其余 {len(problems) - SHOWN_PROBLEMS} 个问题略；加 --problems 问题.csv 导出全部", file=sys.stderr)
        return USAGE_ERROR
    if prepared.batch.notices:  # imported anyway, but a person should see each of them
        print(f"提示（{len(prepared.batch.notices)} 条，不影响导入，请确认）：", file=sys.stderr)
        for notice in prepared.batch.notices[:SHOWN_PROBLEMS]:
            print("  " + notice.line(), file=sys.stderr)
        if len(prepared.batch.notices) > SHOWN_PROBLEMS:
            print(f"  …其余 {len(prepared.batch.notices) - SHOWN_PROBLEMS} 条提示略", file=sys.stderr)
    if prepared.no_change:
        print("文件内容与现有数据完全相同，没有任何改动。", file=sys.stderr)
        return 0
    for warning in prepared.warnings:  # a file named for one township holding another's rows
        print(f"警告：{warning}", file=sys.stderr)
    published = False
    try:
        removed = importing.removals(prepared)
        if len(removed) and not args.replace:
            # A township's second batch must not silently delete its first: ask which was meant.
            print(f"导入这个文件将删除以下 {len(removed)} 条单位数据（文件所含乡镇、年度中已有，但文件里没有列出的单位）：",
                  file=sys.stderr)
            for line in _removal_lines(removed):
                print(line, file=sys.stderr)
            print("数据库没有任何改动。请选择：\n"
                  "  --replace  以本文件为该乡镇该年度的完整名册，删除以上单位；\n"
                  "  --merge    只新增或更新本文件中的单位，不删除任何单位（分批报送时用）。", file=sys.stderr)
            return USAGE_ERROR
        counts, changes = importing.preview(prepared)
        if len(removed):
            print(f"将删除以下 {len(removed)} 条单位数据（--replace）：")
            print("\n".join(_removal_lines(removed)))
        print(counts.to_string(index=False))
        if len(changes):  # a file of townships or targets only moves no headline figure
            shown = changes.assign(**{c: [fmt_number(v, catalog.get(k).unit)
                                          for k, v in zip(changes["code"], changes[c])]
                                      for c in ("导入前", "导入后")}).drop(columns="code")
            print(shown.to_string(index=False))
        if prepared.candidate.replaced_demo:
            print("注意：当前为示例数据，导入后将替换全部示例数据（可撤销）。", file=sys.stderr)
        if args.dry_run:
            print("试运行（--dry-run）：没有写入。", file=sys.stderr)
            return 0
        snapshots.publish(prepared.candidate)
        published = True
    finally:
        if not published:  # dry run, a question, or a failure before the switch: no orphan snapshot
            snapshots.discard(prepared.candidate)
    print(f"已导入并发布快照 {prepared.candidate.file.name}；撤销：python -m unionstats undo", file=sys.stderr)
    return 0


def _cmd_upgrade(args) -> int:
    path = _db(args)
    with snapshots.writer_lock(path):
        prepared = importing.upgrade(path)
        if prepared.no_change:
            print("数据库已是当前格式，无需升级。", file=sys.stderr)
            return 0
        snapshots.publish(prepared.candidate)
    print(f"已升级为当前格式，数据不变：快照 {prepared.candidate.file.name}；撤销：python -m unionstats undo",
          file=sys.stderr)
    return 0


def _cmd_read_report(args) -> int:
    """读工作总结: the figures a report states; writes only with --import (for scripts: the page
    shows them to a person first)."""
    import hashlib
    from . import narrative
    if args.file == "-":
        name, data = "标准输入.txt", sys.stdin.buffer.read()
    else:
        file = Path(args.file)
        if not file.is_file():
            raise UsageError(f"找不到文件：{file}")
        name, data = file.name, file.read_bytes()
    try:
        reading = narrative.read_file(name, data, args.year)
    except narrative.ReportError as exc:
        raise UsageError(str(exc)) from None
    if reading.year is None:
        raise UsageError(f"{name}：无法从文字中判断是哪一年的总结，请用 --year 指定年度")
    if args.json:
        print(json.dumps(reading.to_json(), ensure_ascii=False))
    else:
        for f in reading.figures:
            ind = catalog.get(f.code)
            kind = "目标" if f.kind == "target" else "实际"
            print(f"{kind} {f.year}\t{ind.name_zh:<12}\t{fmt_number(f.number, ind.unit)}\t{f.qualifier or ''}\t"
                  f"{f.code}\t「{reading.text[f.start:f.end]}」")
        if not reading.figures:
            print("没有找到指标数字。")
    for line in reading.unit_mismatches:
        print(f"注意：{line}", file=sys.stderr)
    ambiguous = reading.ambiguous()
    for kind, code, figures in ambiguous:
        values = "、".join(f"「{reading.text[f.start:f.end]}」" for f in figures)
        print(f"注意：{catalog.get(code).name_zh}在文中有不同的数：{values}（取第一个）", file=sys.stderr)
    if not args.do_import:
        return 0
    if ambiguous:
        raise UsageError("同一指标在文中有不同的数，没有写入；请核对后在数据管理页确认，或改正文字后再导入")
    path = _db(args)
    region = None
    if args.region:
        regions = store.query("regions", path=path)
        match = regions[(regions["code"] == args.region) | (regions["name_zh"] == args.region)]
        if match.empty:
            raise UsageError(f"未知乡镇：{args.region}（可用：{', '.join(regions['code'])}）")
        region = str(match["code"].iloc[0])
    items = [f.as_dict(reading.text) for f in (*reading.actuals().values(), *reading.targets().values())]
    prepared, skipped = importing.write_edit(path, lambda: narrative.prepare_import(
        path, items, region, name, hashlib.sha256(data).hexdigest()))
    for item, reason in skipped:
        print(f"未写入：{catalog.get(item['code']).name_zh} {item['value']}：{reason}", file=sys.stderr)
    if prepared.batch.problems:
        print(f"发现 {len(prepared.batch.problems)} 个问题，数据库没有任何改动：", file=sys.stderr)
        for problem in prepared.batch.problems:
            print("  " + problem.line(), file=sys.stderr)
        return USAGE_ERROR
    written = len(items) - len(skipped)
    if prepared.candidate is not None:
        print(f"已写入 {written} 项并发布快照 {prepared.candidate.file.name}；撤销：python -m unionstats undo",
              file=sys.stderr)
    elif prepared.no_change:
        print("这些数字与现有数据相同，没有任何改动。", file=sys.stderr)
    else:
        print("没有可以写入的数字，数据库没有任何改动。", file=sys.stderr)
    return 0


def _cmd_history(args) -> int:
    records = snapshots.history(_db(args))
    if not records:
        print("还没有导入记录。")
        return 0
    for r in records:
        mark = "*" if r.get("current") else " "
        rows = ", ".join(f"{k} {v}" for k, v in (r.get("rows") or {}).items())
        if r.get("mode"):  # what unit rows did: replace (and how many unit-years it removed) or merge
            rows += f"  [{importing.MODE_NAMES.get(r['mode'], r['mode'])}，删除单位 {r.get('removed_units', 0)}]"
        print(f"{mark} {r.get('time', '')}  {r.get('action', ''):<6} {r.get('snapshot') or '(基础库)':<14} "
              f"{r.get('user', '')}  {r.get('file', '')}  {r.get('outcome', '')}  {rows}  {r.get('sha256', '')[:12]}")
    return 0


def _cmd_undo(args) -> int:
    path = _db(args)
    if args.to is not None:
        snapshots.go_to(path, "" if args.to in ("base", "") else args.to)
        target = args.to
    else:
        target = snapshots.undo(path) or "(基础库)"
    print(f"已回到：{target}", file=sys.stderr)
    return 0


def _cmd_set_password(args) -> int:
    import getpass
    import os
    password = sys.stdin.readline().rstrip("\n") if args.stdin else getpass.getpass("新管理员密码：")
    problem = auth.password_problem(password)
    if problem:  # before asking again: a weak password is refused either way
        raise UsageError(problem)
    if not args.stdin and getpass.getpass("再输入一次：") != password:
        raise UsageError("两次输入的密码不一致")
    from_env = bool(os.environ.get(auth.ENV))
    old = None if from_env else auth.stored_hash()
    broken = auth.hash_problem(old) if old else None
    try:
        file = auth.set_password(password)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if broken:
        print(f"原来保存的管理员密码哈希格式不正确（{broken}），已用新密码替换。", file=sys.stderr)
    print(f"管理员密码已设置（只保存加盐哈希）：{file}", file=sys.stderr)
    if from_env:  # the page reads the environment first, so the new file does not count yet
        print(auth.bad_hash_message() or
              f"注意：环境变量 {auth.ENV} 已设置，页面以它为准；删除该变量后新密码才生效。", file=sys.stderr)
    return 0


def _cmd_briefing(args) -> int:
    from . import briefing, i18n
    path = _db(args)
    view = View(args.year, _scope_from_args(args, path), args.lang)
    # the store's words for its regions (乡镇, or 县（市、区） in a city federation's store)
    i18n.use_labels(store.setting(i18n.REGION_LABEL, path=path), store.setting(i18n.WHOLE_LABEL, path=path))
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".pptx", ".xlsx", ".html", ".docx"):
        raise UsageError(f"输出文件应以 .pptx、.docx、.xlsx 或 .html 结尾，不是 {out.name}")
    if suffix == ".docx":
        from . import report
        data = report.to_docx(view, path)
    elif suffix == ".xlsx":
        data = briefing.to_xlsx(view, path)
    else:
        slides = briefing.build(view, path)
        data = briefing.to_pptx(slides) if suffix == ".pptx" else briefing.to_html(slides, args.lang).encode("utf-8")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError:
        raise UsageError(f"无法写入 {out}：它是文件夹、所在位置不能新建，或没有写入权限。请换一个输出文件名") from None
    print(f"已生成：{out}", file=sys.stderr)
    return 0


def _cmd_report_up(args) -> int:
    """上报: the county's year as one region, in the import workbook, for the city federation."""
    from . import reportup
    path = _db(args)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"输出文件应以 .xlsx 结尾，不是 {out.name}")
    try:
        data, rollup = reportup.report_up(args.year, path)
    except reportup.ReportUpError as exc:
        raise UsageError(str(exc)) from None
    for warning in rollup.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"已生成上报文件：{out}（{rollup.name_zh}作为一个地区，代码 {rollup.code}）", file=sys.stderr)
    return 0


def _cmd_settings(args) -> int:
    """The county's code and kind as a region of the city's store; the words the pages use."""
    from . import i18n, reportup
    path = _db(args)
    values = {key: value for key, value in ((reportup.CODE_SETTING, args.county_code),
                                            (reportup.KIND_SETTING, args.county_kind),
                                            (i18n.REGION_LABEL, args.region_label),
                                            (i18n.WHOLE_LABEL, args.whole_label)) if value is not None}
    if values:
        prepared = importing.write_edit(path, lambda: reportup.edit_settings(path, values))
        if prepared.batch.problems:
            raise UsageError("；".join(f"{p.column}{p.message}" for p in prepared.batch.problems))
        print("设置已保存（可撤销）。" if prepared.candidate is not None else "设置没有变化。", file=sys.stderr)
        store.clear_results()
    code, zh, _, kind = reportup.county(path)
    print(f"county_code\t{code}\ncounty_kind\t{kind}\n"
          f"region_label\t{store.setting(i18n.REGION_LABEL, path=path) or '乡镇'}\n"
          f"whole_label\t{store.setting(i18n.WHOLE_LABEL, path=path) or '全县'}")
    return 0


def _at_least(minimum: int, message: str):
    """An argparse type: a whole number not below `minimum`."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = minimum - 1
        if number < minimum:
            raise argparse.ArgumentTypeError(f"{message}，不是 {value!r}")
        return number
    return parse


_positive = _at_least(1, "应为正整数")
_units = _at_least(200, "单位数应为不小于 200 的整数")


def _ownership(value: str) -> str:
    """public / nonpublic, or as the sidebar words them: 公有制 / 非公有制."""
    from .i18n import t
    for group in indicators.OWNERSHIP_GROUPS:
        if value.strip().lower() in (group, t(group, "zh")):
            return group
    raise argparse.ArgumentTypeError(f"所有制只能是 public（公有制）或 nonpublic（非公有制），不是 {value!r}")


def _year(value: str) -> int:
    """A year in the range an import accepts (importing.FIRST_YEAR to next year): not -5 or 99999."""
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度应为四位数字，不是 {value!r}") from None
    first, last = importing.FIRST_YEAR, importing.last_year()
    if not first <= year <= last:
        raise argparse.ArgumentTypeError(f"年度应在 {first}–{last} 之间，不是 {value!r}")
    return year


def build_parser() -> argparse.ArgumentParser:
    parser = arguments.Parser(prog="python -m unionstats", description="工会数据看板 命令行工具")
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = "数据库文件（默认取环境变量 UNIONSTATS_DB，否则 data/unionstats.duckdb）"

    p = sub.add_parser("demo", help="生成示例县数据库")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--units", type=_units, default=demo.DEFAULT_UNITS, help="单位数（默认 2000）")
    size.add_argument("--scale", choices=list(demo.SCALES),
                      help="按规模取单位数：" + "，".join(f"{k} {v:,}" for k, v in demo.SCALES.items()))
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_demo)

    def scoped(name: str, text: str) -> argparse.ArgumentParser:
        """A command over one year and scope (the sidebar's filters): --year, --region, --industry,
        --ownership, --db."""
        p = sub.add_parser(name, help=text)
        p.add_argument("--year", type=_year, required=True)
        p.add_argument("--region", help="乡镇代码")
        p.add_argument("--industry", action="append", metavar="INDUSTRY",
                       help="行业门类代码或名称（如 C 或 制造业）；可重复，选多个行业")
        p.add_argument("--ownership", type=_ownership, help="public（公有制）或 nonpublic（非公有制）")
        p.add_argument("--db", help=db_help)
        return p

    p = scoped("summary", "某年某范围的全部指标")
    p.add_argument("--json", action="store_true", help="输出 JSON：{指标代码: 数值}，比率为小数，金额为元")
    p.set_defaults(func=_cmd_summary)

    p = scoped("gaps", "空白点：未建会单位名单")
    p.add_argument("--min-employees", type=_positive, default=gaps.DEFAULT_MIN_EMPLOYEES,
                   help=f"职工人数下限（默认 {gaps.DEFAULT_MIN_EMPLOYEES}）")
    p.add_argument("--csv", action="store_true", help="以 CSV 输出名单")
    p.set_defaults(func=_cmd_gaps)

    p = sub.add_parser("template", help="生成导入模板（Excel）")
    p.add_argument("--out", required=True, help="输出文件 .xlsx")
    p.add_argument("--with-data", action="store_true", help="填入当前数据（导出）")
    p.add_argument("--region", help="只生成这个乡镇的报表（代码或名称）：列出它上一年的单位，数字留空")
    p.add_argument("--year", type=_year, help="乡镇报表的报送年度（与 --region 同用）")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("status", help="各乡镇报表的报送情况；退回修改")
    p.add_argument("--year", type=_year, required=True)
    p.add_argument("--json", action="store_true",
                   help='输出 JSON：{乡镇代码: {"status": submitted/returned/missing, "rows", "units", "employees", '
                        '"members", "file", "at", "by", "note", …}}')
    p.add_argument("--return", dest="return_region", metavar="CODE", help="把这个乡镇的报表退回修改（须加 --note）")
    p.add_argument("--note", help="退回修改的原因")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("import", help="导入 Excel/CSV（先校验，全部通过才写入）",
                       description="单位名册按“乡镇＋年度”导入：文件中没有列出的已有单位会被删除时，须指定 --replace 或 "
                                   "--merge。乡镇汇总、合同检查、欠薪、帮扶、补助各表总是按“年度＋乡镇”整体替换。")
    p.add_argument("file")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--replace", action="store_true",
                     help="替换：文件是该乡镇该年度的完整单位名册，删除文件中没有的单位")
    how.add_argument("--merge", action="store_true",
                     help="合并：只新增或更新文件中的单位，不删除任何单位（一个乡镇分几个文件报送时用）")
    p.add_argument("--dry-run", action="store_true", help="只校验和预览，不写入")
    p.add_argument("--problems", help="把全部问题写入此 CSV 文件")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("upgrade", help="把旧版格式的数据库升级为当前格式（数据不变，可撤销）")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_upgrade)

    p = sub.add_parser("read-report", help="读工作总结：找出指标数字（.txt/.docx，- 为标准输入）")
    p.add_argument("file")
    p.add_argument("--year", type=_year, help="总结的年度（默认从文字中判断）")
    p.add_argument("--json", action="store_true",
                   help='输出 JSON：{"year", "figures": {代码: 数值}, "targets": {代码: 数值}, "found": [...]}')
    p.add_argument("--import", dest="do_import", action="store_true",
                   help="打印后写入（目标；乡镇的补助），可用 undo 撤销；默认不写入")
    p.add_argument("--region", help="写入为这个乡镇的数字（代码或名称；默认全县）")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_read_report)

    p = sub.add_parser("history", help="导入历史")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("undo", help="撤销最近一次导入，或回到指定快照")
    p.add_argument("--to", help="快照名（如 000003.duckdb），base 表示基础库")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_undo)

    p = scoped("briefing", "会议汇报：PPT（可编辑图表）、Word 汇报材料、Excel 或离线网页")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--out", required=True, help="输出文件：.pptx / .docx / .xlsx / .html")
    p.set_defaults(func=_cmd_briefing)

    p = sub.add_parser("report-up", help="上报：本县某年数据汇总为一个地区的导入表（附阅签汇总表），供市总工会导入")
    p.add_argument("--year", type=_year, required=True)
    p.add_argument("--out", required=True, help="输出文件 .xlsx")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_report_up)

    p = sub.add_parser("settings", help="查看或修改：上报用的地区代码和类型；页面对地区的称谓（乡镇 / 县（市、区））")
    p.add_argument("--county-code", help="本县上报时的地区代码（默认由县名生成）")
    p.add_argument("--county-kind", help="本县上报时的地区类型：县、区 或 市（默认 县）")
    p.add_argument("--region-label", help="页面对地区的称谓：乡镇 或 县（市、区）")
    p.add_argument("--whole-label", help="页面对全域的称谓：全县 或 全市")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=_cmd_settings)

    p = sub.add_parser("set-password", help="设置数据管理页的管理员密码")
    p.add_argument("--stdin", action="store_true", help="从标准输入读取密码")
    p.set_defaults(func=_cmd_set_password)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return USAGE_ERROR
    except store.StoreError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return STORE_ERROR
