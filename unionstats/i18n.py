"""Interface text, Chinese first. Data names (townships, units) are never translated here."""
from __future__ import annotations

import re
import threading

LANGS = ("zh", "en")
# What a store calls its regions and its whole (settings region_label, whole_label): a county's
# store says 乡镇 and 全县; a city federation's, whose regions are counties, 县（市、区） and 全市.
REGION_LABEL, WHOLE_LABEL = "region_label", "whole_label"
COUNTY_LABELS = {REGION_LABEL: "县（市、区）", WHOLE_LABEL: "全市"}
_labels = threading.local()  # per thread: each Streamlit session runs its page in its own thread

TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("工会数据看板", "Union statistics dashboard"),
    "page_overview": ("总览", "Overview"),
    "demo_badge": ("示例数据", "Demo data"),
    "demo_notice": ("当前显示的是示例县的示例数据，不是真实统计。导入本县数据后此提示消失。",
                    "You are looking at demo data for a fictional county, not real statistics. "
                    "This notice disappears once your own data is imported."),
    "filters": ("筛选", "Filters"),
    "year": ("年度", "Year"),
    "regions": ("乡镇（街道、园区）", "Townships"),
    "industries": ("行业门类", "Industry sections"),
    "ownership_group": ("所有制", "Ownership"),
    "all": ("全部", "All"),
    "public": ("公有制", "Public"),
    "nonpublic": ("非公有制", "Non-public"),
    "language": ("语言 / Language", "Language / 语言"),
    "scope_all": ("全县", "Whole county"),
    "scope_line": ("范围：{scope}", "Scope: {scope}"),
    "vs_prev_year": ("较{year}年", "vs {year}"),
    "target_line": ("目标 {value}", "target {value}"),
    "completion_line": ("完成率 {ratio}", "{ratio} of target"),
    "gap_ahead": ("超出{gap}", "{gap} ahead"),
    "gap_behind": ("差{gap}", "{gap} short"),
    "gap_even": ("恰好达到目标", "exactly on target"),
    "status_done": ("已完成", "Met"),
    "status_near": ("接近（未完成）", "Close (not met)"),
    "status_missed": ("未完成", "Not met"),
    "status_none": ("无数据", "No data"),
    "small_sample": ("样本少", "small sample"),
    "small_sample_help": ("样本少：分母不足{n}，变化仅供参考，不参与“最低”排名。",
                          "Small sample: the rate rests on fewer than {n}, so its change is only indicative "
                          "and it is left out of the lowest lists."),
    "no_data_year": ("{year}年无数据", "no data for {year}"),
    "nothing_to_rank": ("所选范围{year}年没有可排列的数（都为零或未填报）。", "Nothing to rank in {year} for this selection (all zero or not reported)."),
    "no_data_years": ("{start}—{end}年无数据", "no data for {start}–{end}"),
    "vs_year_gap": ("较{year}年（{gap}）", "vs {year} ({gap})"),
    "parts_line": ("构成：{parts}", "Parts: {parts}"),
    "parts_line_base": ("{year}年：{parts}", "{year}: {parts}"),
    "attainment_title": ("目标完成情况", "Targets: did we meet the plan?"),
    "attainment_none_county": ("{year}年没有设定全县目标，可在“数据管理”页填写。",
                               "No county targets are set for {year}; add them on the data page."),
    "attainment_none_scope": ("所选范围没有单独设定的{year}年目标。全县目标只在不加筛选的全县范围显示。",
                              "The selection has no targets of its own for {year}. County targets are "
                              "shown only for the whole county."),
    "brief_attainment_msg": ("共{n}项目标：已完成{done}项，未完成{not_done}项（其中接近目标{near}项）。",
                             "Of {n} targets, {done} were met and {not_done} were not ({near} of them came close)."),
    "attainment_rules_note": ("完成率 = 实际 ÷ 目标。接近：数量指标达到目标的{ratio}以上，比率指标差距不超过{points}。",
                              "Attainment is actual ÷ target. Close means a count reached {ratio} of its target, "
                              "or a rate fell short by no more than {points}."),
    "page_league": ("乡镇排名", "Township league"),
    "points_unit": ("个百分点", "pp"),
    "league_indicator": ("排名指标", "Rank by"),
    "league_title": ("{year}年各乡镇{indicator}排名", "Townships ranked by {indicator}, {year}"),
    "league_help": ("第1名最好。样本少（分母不足{n}）的乡镇不排名。名次变化与变化：{base}。点击表头可排序。",
                    "Rank 1 is best. Townships whose rate rests on fewer than {n} are not ranked. Places moved "
                    "and change: {base}. Click a column header to sort."),
    "league_rates_title": ("各乡镇主要比率一览", "Headline rates of every township"),
    "league_rates_help": ("单元格颜色：绿色高于全县，红色低于全县，灰色样本少。",
                          "Cell colour: green above the county, red below it, grey a small sample."),
    "col_rank": ("名次", "Rank"),
    "col_vs_county": ("与全县差距", "Gap to county"),
    "col_own_target": ("本乡镇目标", "Own target"),
    "league_file": ("乡镇排名_{indicator}_{year}", "township_league_{indicator}_{year}"),
    "map_title_tiles": ("{year}年各乡镇{indicator}（示意图，方块位置不代表实际地理位置）",
                        "{indicator} by township, {year} (schematic: tile positions are not geography)"),
    "map_title_outline": ("{year}年各乡镇{indicator}（乡镇边界图）", "{indicator} by township, {year} (township outlines)"),
    "map_tiles_note": ("示意图按乡镇排列顺序摆放。管理员可在“数据管理”页上传乡镇边界（GeoJSON），改为按实际边界绘制。",
                       "The schematic follows the township order. An administrator can upload township outlines "
                       "(GeoJSON) on the data page to draw the real boundaries."),
    "map_upload_title": ("乡镇边界图（可选）", "Township outlines (optional)"),
    "map_upload": ("上传乡镇边界 GeoJSON（每个要素的属性中含乡镇代码或中文名称）",
                   "Upload township outlines as GeoJSON (each feature names a township code or Chinese name)"),
    "map_saved": ("已保存乡镇边界：{n}个乡镇（可撤销）。", "Township outlines saved for {n} townships (undoable)."),
    "map_current": ("当前已有{n}个乡镇的边界。", "Outlines are stored for {n} townships."),
    "map_none": ("尚未上传乡镇边界，地图以示意图显示。", "No outlines uploaded; maps are drawn as a schematic."),
    "map_remove": ("删除乡镇边界，改回示意图", "Remove the outlines and go back to the schematic"),
    "axis_from": ("横轴从{start}起", "axis starts at {start}"),
    "axis_from_y": ("纵轴从{start}起", "axis starts at {start}"),
    "axis_points": ("个百分点", "percentage points"),
    "profile_title": ("乡镇概况", "Township profile"),
    "profile_choose": ("选择乡镇", "Choose a township"),
    "profile_vs_county": ("{region}与全县比较（{year}年）", "{region} against the county, {year}"),
    "col_county": ("全县", "County"),
    "col_rank_of": ("名次", "Rank"),
    "rank_of": ("第{rank}名（共{n}个）", "{rank} of {n}"),
    "profile_notes": ("本乡镇会议要点", "The township's meeting notes"),
    "profile_no_notes": ("本乡镇{year}年没有会议要点。", "No meeting notes from this township for {year}."),
    "profile_gaps": ("本乡镇空白点（{n}人以上未建会单位）", "The township's gaps (employers with {n}+ employees and no union)"),
    "col_actual": ("实际", "Actual"),
    "col_completion": ("完成率", "Attained"),
    "col_gap": ("差距", "Gap"),
    "col_status": ("状态", "Status"),
    "col_parts": ("构成", "Parts"),
    "status_suffix": ("（{status}）", " ({status})"),
    "not_broken_down": ("帮扶与补助只按乡镇统计，选择行业或所有制后不显示。",
                        "Aid and subsidies are recorded per township only; they are not shown "
                        "under an industry or ownership filter."),
    "reported_share": ("{total}个乡镇中{n}个填报：{names}。未填报的不计为 0，比率只按两项都填报的计算。",
                       "{n} of {total} townships reported: {names}. What was not reported is not counted "
                       "as 0; a rate uses only rows that report both its parts."),
    "overview_headline": ("{year}年主要指标", "Headline indicators, {year}"),
    "trends": ("{start}—{end}年趋势", "Trends {start}–{end}"),
    "trend_coverage": ("建会率、入会率与农民工入会率", "Unionization, membership and migrant membership rates"),
    "trend_members": ("会员人数（年末）", "Union members at year end"),
    "trend_members_new": ("新增会员（全年）", "New members during the year"),
    "trend_arrears": ("追回欠薪", "Wage arrears recovered"),
    "trend_aid": ("帮扶金额、劳模慰问金与基层工会补助（全年）",
                  "Hardship aid paid, model-worker aid and grassroots union subsidies during the year"),
    "gaps_title": ("需要关注的乡镇", "Townships to watch"),
    "gaps_lowest": ("{indicator}最低的乡镇", "Lowest {indicator}"),
    "gaps_need_regions": ("至少需要两个乡镇才能比较。", "Select at least two townships to compare."),
    "no_data_scope": ("所选范围在{year}年没有数据。请放宽筛选条件，或到“数据管理”导入数据。",
                      "No data for the chosen scope in {year}. Widen the filters or import data."),
    "no_data_at_all": ("数据库里还没有任何数据。请运行 `python -m unionstats demo` 生成示例数据，或导入本县数据。",
                       "The database holds no data yet. Run `python -m unionstats demo` or import data."),
    "building_demo": ("首次启动：正在生成示例数据库…", "First start: building the demo database…"),
    "built_demo": ("示例数据库已生成。", "Demo database built."),
    "store_error_title": ("无法打开数据库", "Cannot open the database"),
    "year_basis_survey": ("年度口径：工会统计年度（上年10月1日至当年9月30日）",
                          "Year basis: ACFTU survey year (1 Oct of the previous year to 30 Sep)"),
    "year_basis_calendar": ("年度口径：自然年", "Year basis: calendar year"),
    "page_coverage": ("组织覆盖与空白点", "Coverage and gaps"),
    "coverage_indicator": ("指标", "Indicator"),
    "by_region": ("各乡镇{indicator}", "{indicator} by township"),
    "by_industry": ("各行业{indicator}", "{indicator} by industry section"),
    "by_ownership": ("各所有制类型{indicator}", "{indicator} by ownership type"),
    "county_value": ("全县", "County"),
    "scope_value": ("所选范围", "Selection"),
    "target": ("目标", "Target"),
    "body_city": ("全市", "City"),
    "body_province": ("全省", "Province"),
    "body_nation": ("全国", "National"),
    "body_ilo": ("ILO", "ILO"),
    "ref_own": ("本县", "County"),
    "ref_source": ("来源：{source}", "source: {source}"),
    "ref_whole_county": ("全市、全省等公布的参考数据只在全县范围显示：它们与单个乡镇、行业或所有制的数字不可比。",
                         "Published reference figures (city, province, national) are shown for the whole county "
                         "only: they are not comparable with one township, industry or ownership group."),
    "ref_upgrade": ("参考数据要在数据库升级后才能显示。{hint}", "Reference figures show once the store is upgraded. {hint}"),
    "ref_sources": ("对照数据（他处公布，不计入本县数字）来源——{sources}",
                    "Reference figures (published elsewhere, never added to the county's): {sources}"),
    "col_beside": ("{year}年对照", "{year} beside others"),
    "ref_table": ("与全市、全省等公布数据对照", "Beside the rates others published"),
    "click_to_drill": ("点击乡镇条形，可只看该乡镇的空白点和热力图。",
                       "Click a township bar to narrow the gap list and heat map to it."),
    "drilled_to": ("已选乡镇：{region}", "Township selected: {region}"),
    "drill_back": ("返回全部乡镇", "Back to all townships"),
    "heatmap_title": ("乡镇 × 行业建会率（灰色：不足{n}家单位）", "Unionization by township × industry (grey: fewer than {n} units)"),
    "gap_title": ("空白点：{n}人以上未建会单位", "Gaps: employers with {n}+ employees and no union"),
    "min_employees": ("职工人数不少于", "At least this many employees"),
    "gap_units": ("未建会单位", "Uncovered employers"),
    "gap_employees": ("涉及职工", "Their employees"),
    "gap_line": ("{year}年共有{n}人以上未建会单位{units}，涉及职工{employees}。若全部建会，建会率由{rate}升至{rate_if}；若其职工全部入会，入会率由{mrate}升至{mrate_if}。",
                 "In {year}, {units_n} employers with {n}+ employees had no union, employing {employees}. If all organized, unionization would rise from {rate} to {rate_if}; if their employees all joined, membership from {mrate} to {mrate_if}."),
    "gap_none": ("所选范围内没有{n}人以上的未建会单位。", "No employer with {n}+ employees lacks a union in this selection."),
    "totals_only_note": ("{regions}只报送汇总数，没有单位名单，其空白点无法列出。",
                         "Reported as totals only, without a list of employers, so their uncovered employers cannot be listed: {regions}."),
    "col_unit": ("单位名称", "Employer"),
    "col_industry": ("行业", "Industry"),
    "col_ownership": ("所有制", "Ownership"),
    "col_employees": ("职工人数", "Employees"),
    "col_migrant": ("农民工", "Migrant workers"),
    "gaps_file": ("空白点_{year}_{scope}_{n}人以上", "gaps_{year}_{scope}_{n}+"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "change_title": ("{start}年以来{indicator}变化", "Change in {indicator} since {start}"),
    "base_year": ("与哪一年比", "Compare with year"),
    "no_earlier_year": ("没有更早的年度可比。", "No earlier year to compare with."),
    "too_few_units": ("单位过少（{units}）", "too few units ({units})"),
    "page_rights": ("维权（合同与欠薪）", "Rights: contracts and wage arrears"),
    "page_aid": ("困难帮扶", "Hardship aid"),
    "page_compare": ("年度对比", "Year comparison"),
    "section_contracts": ("劳动合同与集体合同", "Labour and collective contracts"),
    "section_inspections": ("劳动合同履约检查", "Contract inspections"),
    "section_arrears": ("追讨欠薪", "Wage arrears recovered"),
    "contract_rates_trend": ("劳动合同签订率、集体合同覆盖率与工资集体协商覆盖率走势",
                             "Labour contract rate, collective contract coverage and wage bargaining coverage over time"),
    "inspections_trend": ("检查用工单位走势", "Employers inspected over time"),
    "arrears_trend": ("追回欠薪走势", "Arrears recovered over time"),
    "arrears_workers_trend": ("欠薪涉及职工与涉及农民工走势", "Workers and migrant workers owed wages over time"),
    "by_region_of": ("各乡镇{indicator}", "{indicator} by township"),
    "by_industry_of": ("各行业{indicator}", "{indicator} by industry section"),
    "aid_region_only": ("帮扶与补助只按乡镇统计。请清除行业和所有制筛选后查看本页。",
                        "Aid and subsidies are recorded per township only. Clear the industry and "
                        "ownership filters to see this page."),
    "aid_by_program_yuan": ("各项目帮扶金额", "Aid paid by program"),
    "aid_by_program_households": ("各项目帮扶户次", "Households aided by program"),
    "aid_trend": ("帮扶金额走势", "Hardship aid paid over time"),
    "aid_per_household_trend": ("户均帮扶走势", "Aid per household over time"),
    "model_worker_trend": ("劳模慰问金走势", "Model-worker aid over time"),
    "subsidy_trend": ("基层工会补助走势", "Grassroots subsidies over time"),
    "section_aid": ("困难职工帮扶", "Hardship aid"),
    "section_model_workers": ("劳模慰问与基层工会补助", "Model workers and grassroots subsidies"),
    "year_a": ("对比年度", "Earlier year"),
    "year_b": ("本年度", "Later year"),
    "compare_table": ("全部指标对比", "All indicators"),
    "col_indicator": ("指标", "Indicator"),
    "col_code": ("代码", "Code"),
    "col_change": ("变化", "Change"),
    "col_relative": ("变化率", "Change %"),
    "col_verdict": ("评价", "Verdict"),
    "better": ("向好", "better"),
    "worse": ("变差", "worse"),
    "same": ("持平", "unchanged"),
    "compare_indicator": ("分乡镇对比的指标", "Indicator compared by township"),
    "compare_dumbbell": ("各乡镇{indicator}：{a}年与{b}年", "{indicator} by township: {a} and {b}"),
    "rank_moves": ("乡镇排名变化（{indicator}，第1名最好）", "Township ranking ({indicator}, 1 = best)"),
    "col_rank_a": ("{year}年排名", "Rank {year}"),
    "col_rank_b": ("{year}年排名", "Rank {year}"),
    "col_value_a": ("{year}年", "{year}"),
    "col_value_b": ("{year}年", "{year}"),
    "col_moved": ("名次变化", "Places moved"),
    "same_years": ("请选择两个不同的年度。", "Choose two different years."),
    "compare_no_earlier": ("{year}年之前没有数据可比。请在侧栏选择较晚的年度，或在上方另选对比年度。",
                           "There is no data before {year} to compare with. Choose a later year in the "
                           "sidebar, or another year above."),
    "compare_download": ("下载对比表 Excel", "Download comparison (Excel)"),
    "page_data": ("数据管理", "Data management"),
    "template_title": ("导入模板", "Import template"),
    "template_help": ("下载模板，按工作表填写后在下方导入。模板含填表说明和下拉列表。",
                      "Download the template, fill in its sheets, then import it below."),
    "download_template": ("下载空白模板", "Download blank template"),
    "report_up_title": ("上报上级", "Report up"),
    "report_up_help": ("把本县当年的数据汇总为一个地区（按行业、所有制），写成导入模板格式的 Excel，市总工会用本系统直接导入；"
                       "首页是阅签汇总表，填报人、审核人、负责人签字处留空。",
                       "The county's year rolled up as one region (by industry and ownership) in the import workbook, "
                       "for the city federation to import; the first sheet is a summary to be signed."),
    "report_up_make": ("生成{year}年上报文件", "Make the {year} report-up file"),
    "report_up_download": ("下载{year}年上报文件", "Download the {year} report-up file"),
    "download_export": ("导出当前数据（模板格式）", "Export current data (template format)"),
    "login_title": ("管理员登录", "Administrator login"),
    "login_needed": ("导入、撤销和编辑目标需要管理员密码；查看不需要登录。", "Importing, undoing and editing targets need the administrator password; viewing does not."),
    "no_password": ("尚未设置管理员密码。请在服务器上运行 `python -m unionstats set-password`（或设置环境变量 UNIONSTATS_ADMIN_HASH），然后刷新本页。",
                    "No administrator password is set. Run `python -m unionstats set-password` on the server (or set UNIONSTATS_ADMIN_HASH), then reload."),
    "password": ("密码", "Password"),
    "login": ("登录", "Log in"),
    "logout": ("退出登录", "Log out"),
    "login_failed": ("密码不正确。", "Wrong password."),
    "login_wait": ("请 {seconds} 秒后再试（连续输错后每次等待更久）。", "Try again in {seconds} s (each further failure waits longer)."),
    "login_locked": ("输错次数过多，登录已暂时锁定：请 {minutes} 分钟后再试。", "Too many wrong passwords; login is locked. Try again in {minutes} min."),
    "logged_in": ("已以管理员身份登录。", "Logged in as administrator."),
    "import_title": ("导入数据", "Import data"),
    "upload": ("选择 Excel（.xlsx / .xls）或 CSV 文件", "Choose an Excel (.xlsx / .xls) or CSV file"),
    "checking": ("正在校验并生成预览…", "Checking and preparing a preview…"),
    "problems_found": ("发现 {n} 个问题，数据没有任何改动。请修改文件后重新导入。", "{n} problems found; nothing was changed. Fix the file and import again."),
    "notices_found": ("请留意以下 {n} 条提示（不影响导入，但请确认）：", "{n} notices (the import goes ahead; please check them):"),
    "download_problems": ("下载问题清单", "Download the problem list"),
    "no_change": ("文件内容与现有数据完全相同，没有任何改动。", "The file matches the data already loaded; nothing changed."),
    "import_modes_help": ("单位名册按“乡镇＋年度”导入：如文件没有列出某乡镇某年已有的单位，导入前会列出这些单位，"
                          "请选择“替换”（删除它们）或“合并”（保留它们）。乡镇汇总、合同检查、欠薪、帮扶、补助各表总是按"
                          "“年度＋乡镇”整体替换。",
                          "Unit registers import by township and year: if the file leaves out units already held for a "
                          "township-year, they are listed first and you choose Replace (remove them) or Merge (keep them). "
                          "Township totals, inspections, arrears, aid and subsidies always replace by year and township."),
    "removals_found": ("按“替换”导入将删除以下 {n} 条单位数据：它们在文件所含乡镇、年度中已有，但文件里没有列出。",
                       "Replacing would remove these {n} unit-years: held for the file's townships and years, but not in the file."),
    "import_mode": ("导入方式", "Import mode"),
    "import_mode_replace": ("替换：本文件是这些乡镇、年度的完整名册，删除上列单位",
                            "Replace: the file is the whole register of these township-years; remove the units above"),
    "import_mode_merge": ("合并：只新增或更新本文件中的单位，不删除任何单位（分批报送）",
                          "Merge: add or update the file's units, remove none (a register sent in parts)"),
    "choose_mode": ("请先选择导入方式，然后预览并确认。", "Choose an import mode, then preview and confirm."),
    "preview_rows": ("各表各年的行数（导入前 → 导入后）", "Rows per table and year (before → after)"),
    "preview_figures": ("主要指标（导入前 → 导入后）", "Headline figures (before → after)"),
    "replaces_demo": ("当前为示例数据：确认后将用本文件的数据替换全部示例数据（可撤销）。", "The demo data is loaded: confirming replaces all of it with this file (undoable)."),
    "confirm_import": ("确认导入", "Confirm import"),
    "cancel": ("取消", "Cancel"),
    "imported": ("已导入：{file}。各页面已显示新数据；如有误可撤销。", "Imported {file}. Every page shows the new data; undo if needed."),
    "collect_title": ("各乡镇报送情况", "Townships' sheets"),
    "collect_help": ("每个乡镇某年的报表：已报送（有数据，显示来自哪个文件、何时、谁导入）、未报送，或退回修改（直到该乡镇的新文件导入）。"
                     "可为每个乡镇下载它自己的报表：列出它上一年的单位，数字留空。",
                     "Each township's sheet for a year: submitted (with its file, time and who imported it), not submitted, "
                     "or returned for correction (until the township's next file is imported). Download each township's "
                     "own workbook: its units of the year before, counts blank."),
    "collect_year": ("报送年度", "Year"),
    "collect_counts": ("{year} 年：已报送 {submitted}，退回修改 {returned}，未报送 {missing}（共 {n} 个乡镇）",
                       "{year}: {submitted} submitted, {returned} returned, {missing} not submitted ({n} townships)"),
    "collect_region": ("乡镇", "Township"),
    "collect_download": ("下载该乡镇 {year} 年报表", "Download its {year} workbook"),
    "collect_return_title": ("退回修改", "Return for correction"),
    "collect_note": ("退回原因（乡镇据此改正后重新报送）", "Why (the township corrects it and sends it again)"),
    "collect_return": ("退回修改", "Return for correction"),
    "collect_returned": ("已退回修改：{name}（可撤销）", "Returned: {name} (undoable)"),
    "collect_none": ("这一年还没有乡镇报送，没有可退回的报表。", "No township has sent this year's sheet yet: nothing to return."),
    "history_title": ("导入历史", "Import history"),
    "no_history": ("还没有导入记录。", "No imports yet."),
    "undo_last": ("撤销最近一次导入", "Undo the last import"),
    "undone": ("已撤销，回到：{name}", "Undone; now at: {name}"),
    "go_to_title": ("回到某个快照", "Go back to a snapshot"),
    "go_to": ("切换到此快照", "Switch to this snapshot"),
    "base_snapshot": ("基础数据库", "Base database"),
    "targets_title": ("目标与会议要点", "Targets and meeting notes"),
    "targets_year": ("年度", "Year"),
    "note_county": ("全县会议要点", "County meeting notes"),
    "save": ("保存", "Save"),
    "saved": ("已保存（可撤销）。", "Saved (undoable)."),
    "col_time": ("时间", "Time"),
    "col_action": ("操作", "Action"),
    "col_snapshot": ("快照", "Snapshot"),
    "col_user": ("操作人", "User"),
    "col_file": ("文件", "File"),
    "col_outcome": ("结果", "Outcome"),
    "col_current": ("当前", "In force"),
    "col_target": ("目标值", "Target"),
    "page_briefing": ("会议汇报", "Briefing"),
    "brief_title": ("{county}{year}年工会工作数据汇报", "{county} trade union work in {year}"),
    "brief_subtitle": ("数据截至 {as_of} · 范围：{scope}", "Data as of {as_of} · Scope: {scope}"),
    "brief_headline": ("{year}年主要指标", "Headline indicators, {year}"),
    "brief_headline_msg": ("建会率{rate}，新组建基层工会{unions}，新增会员{members}。",
                           "Unionization {rate}; {unions_n} new grassroots unions; {members_n} new members."),
    "brief_coverage": ("组织覆盖：各乡镇建会率", "Coverage: unionization by township"),
    "brief_coverage_msg": ("建会率最低的是{towns}。", "Lowest unionization: {towns}."),
    "brief_gaps": ("空白点", "Gaps"),
    "brief_gaps_msg": ("25人以上未建会单位{units}，涉及职工{employees}；若全部建会，建会率可达{rate_if}。",
                       "{units_n} employers with 25+ employees have no union ({employees}); if all organized, unionization would reach {rate_if}."),
    "brief_below_target": ("{n}个乡镇低于目标{target}。", "{n} townships are below the {target} target."),
    "brief_gaps_note": ("空白点：职工25人以上、尚未单独建会也未被联合工会覆盖的单位（《工会法》）。",
                        "Gaps: employers with 25 or more employees and no union of their own or joint union."),
    "brief_rights": ("维权：合同与履约", "Rights: contracts and compliance"),
    "brief_rights_msg": ("检查用工单位{inspected}，履约良好率{rate}，指导{helped}签订劳动合同。",
                         "{inspected_n} employers inspected, {rate} compliant; {helped_n} workers helped to sign."),
    "brief_arrears": ("追讨欠薪", "Wage arrears recovered"),
    "brief_arrears_msg": ("全年追回欠薪{yuan}，涉及职工{workers}。", "{yuan} recovered for {workers_n} workers."),
    "brief_aid": ("困难帮扶", "Hardship aid"),
    "brief_aid_msg": ("帮扶困难职工{households}，发放{yuan}。", "{households_n} households aided with {yuan}."),
    "brief_targets": ("{year}年目标", "Targets for {year}"),
    "brief_targets_msg": ("共{n}项目标。", "{n} targets."),
    "brief_no_targets": ("尚未设定{year}年目标，可在“数据管理”页填写。", "No targets set for {year} yet; add them on the data page."),
    # 汇报材料 (Word): one sentence template per work area and language; figures are filled in whole.
    "download_docx": ("下载 Word 汇报材料", "Download Word report"),
    "rep_meta": ("统计范围：{scope}　数据截至：{as_of}　{basis}", "Scope: {scope}   Data as of: {as_of}   {basis}"),
    "rep_intro": ("现将{county}{year}年工会工作主要数据汇报如下。", "This report sets out the main figures of {county}'s trade union work in {year}."),
    "rep_h_key": ("主要指标一览", "Key indicators"),
    "rep_h_coverage": ("一、组织建设", "1. Organising"),
    "rep_h_gaps": ("二、组织覆盖空白点", "2. Gaps in coverage"),
    "rep_h_rights": ("三、维护职工权益", "3. Workers' rights"),
    "rep_h_aid": ("四、困难职工帮扶", "4. Hardship aid"),
    "rep_h_plan": ("五、{year}年目标", "5. Targets for {year}"),
    "rep_p_coverage": ("全年新组建基层工会组织{unions_new}{unions_new_vs}；新发展会员{members_new}{members_new_vs}。"
                       "年末已建会单位{units_unionized}，建会率{unionization_rate}{unionization_rate_vs}；"
                       "会员{members}，入会率{membership_rate}{membership_rate_vs}；职代会建制率{congress_rate}{congress_rate_vs}。",
                       "During the year {unions_new_n} new grassroots unions were founded{unions_new_vs}, and "
                       "{members_new_n} new members joined{members_new_vs}. At year end {units_unionized_n} employers "
                       "were unionized, a unionization rate of {unionization_rate}{unionization_rate_vs}; membership "
                       "stood at {members_n}, a membership rate of {membership_rate}{membership_rate_vs}; the workers' "
                       "congress rate was {congress_rate}{congress_rate_vs}."),
    "rep_p_gaps": ("职工25人以上、尚未建会的单位还有{gap_units}，涉及职工{gap_employees}；若全部建会，建会率可达{rate_if}。"
                   "建会率较低的是{towns}。",
                   "{gap_units_n} employers with 25 or more employees still have no union, employing "
                   "{gap_employees_n} people; if all were organised, unionization would reach {rate_if}. "
                   "The lowest unionization rates are in {towns}."),
    "rep_p_rights": ("全年检查用工单位{units_inspected}{units_inspected_vs}，履约良好率{compliance_rate}{compliance_rate_vs}；"
                     "指导{workers_helped_sign}签订劳动合同{workers_helped_sign_vs}。劳动合同签订率{labor_contract_rate}"
                     "{labor_contract_rate_vs}，集体合同覆盖率{collective_contract_rate}{collective_contract_rate_vs}。"
                     "全年追回欠薪{arrears_recovered_yuan}{arrears_recovered_yuan_vs}，涉及职工{arrears_workers}。",
                     "During the year {units_inspected_n} employers were inspected{units_inspected_vs}, and "
                     "{compliance_rate} of them were compliant{compliance_rate_vs}; {workers_helped_sign_n} workers "
                     "were helped to sign a labour contract{workers_helped_sign_vs}. The labour contract rate was "
                     "{labor_contract_rate}{labor_contract_rate_vs} and collective contracts covered "
                     "{collective_contract_rate}{collective_contract_rate_vs}. Wage arrears of "
                     "{arrears_recovered_yuan} were recovered{arrears_recovered_yuan_vs} for {arrears_workers_n} workers."),
    "rep_p_aid": ("全年帮扶困难职工{aid_households}{aid_households_vs}，发放帮扶资金{aid_yuan}{aid_yuan_vs}；"
                  "慰问劳动模范发放慰问金{model_worker_aid_yuan}；补助基层工会{subsidy_yuan}。",
                  "{aid_households_n} hardship households were aided{aid_households_vs} with {aid_yuan}{aid_yuan_vs}; "
                  "model workers received {model_worker_aid_yuan} and grassroots unions {subsidy_yuan} in subsidies."),
    "rep_up": ("，比上年增加{delta}", ", {delta} more than in {prev}"),
    "rep_down": ("，比上年减少{delta}", ", {delta} fewer than in {prev}"),
    "rep_up_rate": ("，比上年提高{delta}", ", up {delta} on {prev}"),
    "rep_down_rate": ("，比上年下降{delta}", ", down {delta} on {prev}"),
    "rep_flat": ("，与上年持平", ", the same as in {prev}"),
    "rep_target_count": ("，完成年度目标的{pct}", " ({pct} of the annual target of {target})"),
    "rep_target_rate": ("，{status}年度目标（{target}）", " (annual target {target}: {status})"),
    "col_program": ("帮扶项目", "Program"),
    "col_households": ("户次", "Households"),
    "col_yuan": ("金额（元）", "Amount (yuan)"),
    "col_units": ("单位数", "Units"),
    "gaps_sheet": ("空白点_{n}人以上", "gaps_{n}+"),
    "compare_file": ("年度对比_{a}_{b}_{scope}", "comparison_{a}_{b}_{scope}"),
    "rep_fig_trend": ("图{n}　{year}年以来建会率、入会率", "Figure {n}. Unionization and membership rates since {year}"),
    "rep_fig_coverage": ("图{n}　{year}年各乡镇建会率", "Figure {n}. Unionization by township, {year}"),
    "rep_fig_arrears": ("图{n}　历年追回欠薪", "Figure {n}. Wage arrears recovered by year"),
    "rep_tab": ("表{n}　{title}", "Table {n}. {title}"),
    "rep_tab_regions": ("{year}年各乡镇组织覆盖情况", "Coverage by township, {year}"),
    "rep_tab_gaps": ("职工人数最多的未建会单位（前{n}家）", "The {n} largest employers without a union"),
    "rep_no_charts": ("（本机无法生成图表图片：{reason}）", "(Chart images could not be drawn on this computer: {reason})"),
    "present_mode": ("演示模式（隐藏侧栏、大字）", "Presentation mode (no sidebar, large type)"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "slide_of": ("第 {i} / {n} 页", "Slide {i} of {n}"),
    "present_end": ("退出演示", "End the show"),
    "slide_url_bad": ("链接中的页码“{value}”无效，已显示第 {i} 页（共 {n} 页）。",
                      "The slide number “{value}” in the link is not valid; showing slide {i} of {n}."),
    "download_pptx": ("下载 PPT（可编辑图表）", "Download PowerPoint (editable charts)"),
    "download_brief_xlsx": ("下载 Excel 数据表", "Download Excel tables"),
    "download_html": ("下载离线网页报告", "Download offline HTML report"),
    "listed_first": ("仅列出前 {n} 家（共 {total} 家）；下载文件包含全部。", "Showing the first {n} of {total}; the downloads hold all."),
    "page_glossary": ("指标说明", "Indicator glossary"),
    "glossary_help": ("所有比率都由基础计数在查询时计算（分子 ÷ 分母），可以从乡镇汇总到全县。指标代码是固定的，导出和命令行都用它。",
                      "Every rate is computed from stored counts when queried (numerator ÷ denominator), so it adds up from townships to the county. Codes are fixed; exports and the CLI use them."),
    "family_coverage": ("组织覆盖", "Coverage"),
    "family_contracts": ("合同与检查", "Contracts and inspections"),
    "family_arrears": ("欠薪", "Wage arrears"),
    "family_aid": ("帮扶与补助", "Aid and subsidies"),
    "col_measure": ("计量单位", "Unit"),
    "col_definition": ("定义", "Definition"),
    "col_direction": ("方向", "Direction"),
    "higher_better": ("越高越好", "higher is better"),
    "lower_better": ("越低越好", "lower is better"),
    "no_direction": ("规模指标", "a size, no direction"),
    "settings_title": ("县名、年度口径与判定规则", "County name, year basis and status rules"),
    "near_ratio": ("“接近目标”：数量指标达到目标的百分之几以上", "Close to target: a count has reached this % of it"),
    "near_points": ("“接近目标”：比率指标差距不超过几个百分点", "Close to target: a rate is at most this many points short"),
    "small_n": ("“样本少”：比率的分母少于", "Small sample: a rate rests on fewer than"),
    "county_zh": ("县名（中文）", "County name (Chinese)"),
    "county_en": ("县名（英文）", "County name (English)"),
    "year_basis": ("年度口径", "Year basis"),
    "calendar": ("自然年", "Calendar year"),
    "survey": ("工会统计年度（上年10月1日至当年9月30日）", "ACFTU survey year (1 Oct – 30 Sep)"),
    "url_dropped": ("链接中的筛选条件无效，已忽略：{values}", "Invalid filters in the link were ignored: {values}"),
    "region": ("乡镇", "Township"),
    "value": ("数值", "Value"),
    "report_title": ("读工作总结", "Read a work report"),
    "report_help": ("上传或粘贴年度工作总结（.txt 或 .docx），自动找出其中的指标数字；工作计划部分的数字作为下一年目标。"
                    "核对、修改后点“确认写入”才会写入，可在上方“撤销”。",
                    "Upload or paste the annual work report (.txt or .docx): the figures of the indicators are found; "
                    "those in the plan part become next year's targets. Nothing is written until you confirm; undo above."),
    "report_upload": ("上传工作总结", "Upload a work report"),
    "report_paste": ("或粘贴文字", "Or paste the text"),
    "report_year": ("总结年度", "Report year"),
    "report_scope": ("这是谁的总结", "Whose report"),
    "report_none": ("没有找到指标数字。", "No indicator figures found."),
    "report_legend": ("蓝色：当年数字；紫色：计划目标；红色：与库中数据不符。",
                      "Blue: the year's figures; violet: plan targets; red: differs from the store."),
    "report_conflicts": ("{n} 个数字与库中数据不符（见“核对”列），请核对后再确认。",
                         "{n} figures differ from the store (see the check column); check them before confirming."),
    "report_confirm": ("确认写入", "Confirm and write"),
    "report_written": ("已写入 {n} 项（快照 {name}），可在上方撤销。", "{n} figures written (snapshot {name}); undo above."),
    "report_not_stored": ("以下数字暂不能写入：", "These figures cannot be stored yet:"),
    "report_nothing": ("没有可以写入的数字，数据没有任何改动。", "Nothing that can be stored: no change."),
}


def use_labels(region: str | None = None, whole: str | None = None) -> None:
    """This thread's words for the store's regions and its whole (None: 乡镇, 全县); a page run
    sets them from the store's settings before any text is drawn."""
    _labels.region, _labels.whole = (region or None), (whole or None)


def labels() -> tuple[str | None, str | None]:
    """This thread's words of use_labels: part of the cache key of any text made with them."""
    return getattr(_labels, "region", None), getattr(_labels, "whole", None)


# Words only, never a template's {field}: "{county}" renamed "{city}" has no value to fill in.
_WORD = r"(?<!\{{)\b{}\b(?!\}})"
_EN_WHOLE = ((re.compile(_WORD.format("County")), "City"), (re.compile(_WORD.format("county")), "city"))
_EN_REGION = ((re.compile(_WORD.format("Townships")), "Counties"), (re.compile(_WORD.format("townships")), "counties"),
              (re.compile(_WORD.format("Township")), "County"), (re.compile(_WORD.format("township")), "county"))


def _relabel(text: str, lang: str) -> str:
    region, whole = getattr(_labels, "region", None), getattr(_labels, "whole", None)
    if lang == "en":  # English words follow the Chinese labels: counties under a city
        if whole and whole != "全县":
            for pattern, word in _EN_WHOLE:
                text = pattern.sub(word, text)
        if region and region != "乡镇":
            for pattern, word in _EN_REGION:
                text = pattern.sub(word, text)
        return text
    if region:
        text = text.replace("乡镇（街道、园区）", region).replace("乡镇", region)
    if whole:
        text = text.replace("全县", whole)
    return text


def join(words, lang: str = "zh") -> str:
    """A list in running text: 甲、乙、丙 / a, b, c."""
    return (", " if lang == "en" else "、").join(words)


def t(key: str, lang: str = "zh", **fields) -> str:
    zh, en = TEXT[key]
    text = _relabel(en if lang == "en" else zh, lang)  # before the fields: data names stay as written
    return text.format(**fields) if fields else text
