"""Exports: any figure table as .xlsx (openpyxl write-only, rows streamed from the database, constant memory) and
a printable PDF report for a region and year with a CJK font embedded (fpdf2)."""

import tempfile
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.actor import Actor
from gonghui.core.scoping import scoped
from gonghui.dashboard import registry, selectors
from gonghui.dashboard.fonts import cjk_font
from gonghui.dashboard.models import FigureValue
from gonghui.regions.models import Region

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_rows(
    actor: Actor,
    *,
    figure_keys: list[str],
    region: Region,
    year_from: int,
    year_to: int,
    level: str | None = None,
):
    qs = scoped(
        FigureValue.objects.filter(
            figure_key__in=figure_keys,
            region_code__startswith=region.prefix,
            period__gte=date(year_from, 1, 1),
            period__lt=date(year_to + 1, 1, 1),
        ),
        actor,
    )
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("figure_key", "period", "region_code", "dimension").values_list(
        "figure_key", "region_code", "level", "period", "dimension", "value"
    )


def write_xlsx(
    actor: Actor,
    *,
    figure_keys: list[str],
    region: Region,
    year_from: int,
    year_to: int,
    level: str | None = None,
):
    """A temporary file holding the workbook; rows go straight from a DB cursor to disk (write-only mode)."""
    from openpyxl import Workbook

    names = dict(Region.objects.values_list("code", "name"))
    figures = {f.key: f for f in registry.figures()}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("指标数据"))
    sheet.append(
        [
            _("指标代码"),
            _("指标名称"),
            _("单位"),
            _("区划代码"),
            _("地区"),
            _("层级"),
            _("期间"),
            _("分组"),
            _("数值"),
        ]
    )
    rows = xlsx_rows(
        actor, figure_keys=figure_keys, region=region, year_from=year_from, year_to=year_to, level=level
    )
    for key, code, lvl, period, dim, value in rows.iterator(chunk_size=5000):
        figure = figures.get(key)
        period_text = period.strftime("%Y" if figure and figure.grain == registry.YEAR else "%Y-%m")
        dim_text = str(figure.breakdown_labels.get(dim, dim)) if figure and dim else ""
        sheet.append(
            [
                key,
                str(figure.name) if figure else key,
                str(figure.unit) if figure else "",
                code,
                names.get(code, code),
                lvl,
                period_text,
                dim_text,
                float(value),
            ]
        )
    definitions = workbook.create_sheet(_("指标定义"))
    definitions.append([_("指标代码"), _("指标名称"), _("定义"), _("单位")])
    for key in figure_keys:
        figure = figures[key]
        definitions.append([key, str(figure.name), str(figure.definition), str(figure.unit)])
    out = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(out)
    out.seek(0)
    return out


def fmt(value: Decimal, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


def write_pdf(actor: Actor, *, region: Region, year: int) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    font = cjk_font()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(_("共同富裕数据报告"))
    pdf.add_font("cjk", fname=font.path, collection_font_number=font.index)
    pdf.add_font("cjk", style="B", fname=font.path, collection_font_number=font.index)  # table headings
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    title = _("%(region)s %(year)s年 共同富裕数据报告") % {"region": region.name, "year": year}
    pdf.cell(0, 12, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    pdf.set_font("cjk", size=9)
    generated = _("生成时间：%(at)s　数据来源：平台业务记录汇总") % {
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")
    }
    pdf.cell(0, 6, generated, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    for card in selectors.cards(actor, region, year=year):
        pdf.ln(4)
        pdf.set_font("cjk", size=13)
        pdf.cell(0, 9, str(card["programme"].name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", size=10)
        with pdf.table(
            col_widths=(50, 35, 105), text_align=("LEFT", "RIGHT", "LEFT"), line_height=6
        ) as table:
            table.row([_("指标"), _("数值"), _("定义")])
            for item in card["figures"]:
                figure = item["figure"]
                table.row(
                    [
                        str(figure.name),
                        f"{fmt(item['value'], figure.decimals)} {figure.unit}",
                        str(figure.definition),
                    ]
                )
    kids = selectors.children(region)
    if kids:
        headline = [f for f in registry.figures() if f.headline][:6]
        pdf.add_page()
        pdf.set_font("cjk", size=13)
        pdf.cell(0, 9, _("分地区主要指标"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", size=8)
        columns = {
            f.key: selectors.values_by_region(actor, f, year=year, codes=[k.code for k in kids])
            for f in headline
        }
        with pdf.table(line_height=5, text_align="RIGHT") as table:
            table.row([_("地区")] + [str(f.name) for f in headline])
            for kid in kids:
                table.row(
                    [kid.name] + [fmt(columns[f.key].get(kid.code, Decimal(0)), f.decimals) for f in headline]
                )
    return bytes(pdf.output())
