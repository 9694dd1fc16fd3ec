#!/usr/bin/env python3
"""Generate the hishatak sample collection under collections/sample/.

All items are fictional: the letters, reports, memoirs and captions were written for
this project, and the "scans" and "photographs" are drawn by this script. Output is
deterministic: the same script with the same Pillow/reportlab versions writes
byte-identical files on every run.

    pip install pillow reportlab
    python3 collections/generate.py
"""

import csv
import math
import os
import random
import shutil

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps
from PIL.TiffImagePlugin import IFDRational

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sample")
FONT_DIR = "/usr/share/fonts/truetype/dejavu"

COLUMNS = [
    "files", "kind", "title", "title:en", "title:hy", "title:ru", "title:fr", "title:de",
    "title:tr", "description:en", "date", "lang", "creator", "collection", "source_archive",
    "source_country", "reference", "donor", "acquired", "custody", "rights", "access",
    "persons", "places", "subjects", "transcript", "translation:en", "translation:hy",
    "meta:box", "meta:folder",
]

INC = "http://rightsstatements.org/vocab/InC/1.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
NKC = "http://rightsstatements.org/vocab/NKC/1.0/"

C_DEPORT = "Deportation and Relief"
C_FAMILY = "Family Papers"
C_MUSIC = "Music and Culture"
C_CAUC = "Caucasus 1905–1921"
C_PRESS = "Diaspora Press"

ROWS = []


def font(name, size):
    return ImageFont.truetype(os.path.join(FONT_DIR, name + ".ttf"), size)


def rng_for(name):
    return random.Random("hishatak-sample-" + name)


def path(rel):
    p = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def row(**kw):
    r = {}
    for k, v in kw.items():
        key = k.replace("__", ":").replace("_colon_", ":")
        if isinstance(v, (list, tuple)):
            sep = "|" if key == "files" else ";"
            v = sep.join(v)
        r[key] = v
    for k in r:
        assert k in COLUMNS, k
    ROWS.append(r)


def write_text(rel, text, encoding="utf-8"):
    text = text.strip("\n") + "\n"
    if encoding == "utf-16-le-bom":
        data = ("\ufeff" + text).encode("utf-16-le")
    elif encoding == "utf-8-bom":
        data = ("\ufeff" + text).encode("utf-8")
    else:
        data = text.encode("utf-8")
    with open(path(rel), "wb") as f:
        f.write(data)
    return rel


# ---------------------------------------------------------------------------
# paper and text rendering

def noise_l(rng, w, h):
    return Image.frombytes("L", (w, h), rng.randbytes(w * h))


def paper(rng, size, tone=(236, 226, 200), grain=True, blotch=0.06):
    w, h = size
    base = Image.new("RGB", size, tone)
    dark = Image.new("RGB", size, tuple(int(c * (1 - blotch)) for c in tone))
    mask = noise_l(rng, max(2, w // 60), max(2, h // 60)).resize(size, Image.BICUBIC)
    mask = mask.filter(ImageFilter.GaussianBlur(12)).point(lambda v: max(0, v - 110) * 2)
    img = Image.composite(dark, base, mask)
    # darker edges (vignette)
    vig = Image.radial_gradient("L").resize(size, Image.BILINEAR).point(lambda v: max(0, v - 150) * 2)
    img = Image.composite(dark, img, vig)
    if grain:
        g = noise_l(rng, w, h).point(lambda v: v // 28)
        img = ImageChops.subtract(img, Image.merge("RGB", (g, g, g)))
    return img


def wrap(text, fnt, width):
    lines = []
    for para in text.split("\n"):
        if not para.strip():
            lines.append("")
            continue
        words = para.split(" ")
        cur = ""
        for wd in words:
            trial = wd if not cur else cur + " " + wd
            if fnt.getlength(trial) <= width:
                cur = trial
            else:
                if cur:
                    lines.append(cur)
                cur = wd
        lines.append(cur)
    return lines


def draw_text(img, text, rng, style="type", size=(780, 1020), margin=70, top=80, ink=None):
    """Typewritten (style='type') or handwritten (style='hand') text on img."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    fsize = 21 if style == "type" else 27
    while True:
        if style == "type":
            fnt = font("DejaVuSansMono", fsize)
            lh = int(fsize * 1.55)
        else:
            fnt = font("DejaVuSerif-Italic", fsize)
            lh = int(fsize * 1.6)
        lines = wrap(text, fnt, w - 2 * margin)
        if top + lh * len(lines) <= h - 60 or fsize <= 12:
            break
        fsize -= 1
    if ink is None:
        ink = (30, 26, 24) if style == "type" else (14, 22, 78)
    if style == "hand":  # faint ruled lines
        y = top + lh - 4
        while y < h - 50:
            d.line([(margin - 20, y), (w - margin + 20, y)], fill=(200, 195, 215), width=1)
            y += lh
    y = top
    phase = rng.random() * 6
    for li, line in enumerate(lines):
        x = margin + (rng.randint(-2, 2) if style == "type" else rng.randint(0, 8))
        for i, ch in enumerate(line):
            if style == "type":
                dx, dy = rng.choice((0, 0, 0, 1, -1)), rng.choice((0, 0, 1, -1))
                k = rng.randint(-10, 40)
                fill = tuple(min(255, c + k) for c in ink)
            else:
                dx = 0
                dy = int(2.5 * math.sin(phase + li * 0.7 + i * 0.12))
                fill = ink
            d.text((x + dx, y + dy), ch, font=fnt, fill=fill)
            x += fnt.getlength(ch) + (0 if style == "type" else 0.4)
        y += lh
    return img


def scan_page(name, text, style="type", size=(780, 1020), grain=True, tone=(236, 226, 200),
              tilt=None, header=None):
    rng = rng_for(name)
    img = paper(rng, size, tone=tone, grain=grain)
    if header:
        d = ImageDraw.Draw(img)
        hf = font("DejaVuSerif-Bold", 20)
        d.text((size[0] // 2, 40), header, font=hf, fill=(60, 40, 30), anchor="mm")
    draw_text(img, text, rng, style=style, size=size, top=90 if header else 70)
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    angle = tilt if tilt is not None else rng.uniform(-0.6, 0.6)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(70, 70, 70))
    return img


def save_jpeg(img, rel, quality=80, **kw):
    img.save(path(rel), "JPEG", quality=quality, optimize=True, **kw)
    return rel


def save_png(img, rel, colors=None):
    if colors:
        img = img.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(path(rel), "PNG", optimize=True)
    return rel


# ---------------------------------------------------------------------------
# synthetic photographs

def sepia(img_l, dark=(38, 24, 12), light=(246, 232, 204)):
    return ImageOps.colorize(img_l, black=dark, white=light)


def figure(d, x, y, s, shade, rng):
    """A standing person seen from afar: head, body, legs."""
    d.ellipse([x - s * 0.22, y - s * 1.0, x + s * 0.22, y - s * 0.56], fill=shade + 20)
    d.polygon([(x - s * 0.35, y - s * 0.55), (x + s * 0.35, y - s * 0.55),
               (x + s * 0.45, y + s * 0.35), (x - s * 0.45, y + s * 0.35)], fill=shade)
    d.rectangle([x - s * 0.25, y + s * 0.35, x - s * 0.08, y + s * 0.8], fill=shade - 15)
    d.rectangle([x + s * 0.08, y + s * 0.35, x + s * 0.25, y + s * 0.8], fill=shade - 15)


def soft(g, rng, count, ymax, shade):
    """Blurred smoke or cloud masses composited onto g (in place)."""
    w, h = g.size
    m = Image.new("L", g.size, 0)
    md = ImageDraw.Draw(m)
    for i in range(count):
        cx, cy, r = rng.randint(0, w), rng.randint(0, ymax), rng.randint(40, 140)
        md.ellipse([cx - r, cy - r // 2, cx + r, cy + r // 2], fill=rng.randint(120, 230))
    m = m.filter(ImageFilter.GaussianBlur(28))
    g.paste(Image.composite(Image.new("L", g.size, shade), g, m))


def photo(name, scene, size=(1000, 700), tone="sepia", border=True):
    rng = rng_for(name)
    w, h = size
    g = Image.linear_gradient("L").resize(size).point(lambda v: 200 - v // 4)  # sky
    d = ImageDraw.Draw(g)
    horizon = int(h * rng.uniform(0.45, 0.6))
    if scene in ("harbour", "quay"):
        d.rectangle([0, horizon, w, h], fill=110)
        for i in range(40):
            yy = horizon + rng.randint(0, h - horizon)
            d.line([(rng.randint(0, w), yy), (rng.randint(0, w), yy)], fill=rng.randint(95, 140), width=2)
        for i in range(rng.randint(3, 5)):  # ships
            sx, sy = rng.randint(50, w - 200), horizon + rng.randint(-5, 40)
            sw = rng.randint(120, 220)
            d.polygon([(sx, sy), (sx + sw, sy), (sx + sw - 20, sy + 30), (sx + 15, sy + 30)], fill=50)
            d.rectangle([sx + sw * 0.4, sy - 45, sx + sw * 0.4 + 14, sy], fill=60)
            d.line([(sx + sw * 0.2, sy), (sx + sw * 0.2, sy - 90)], fill=55, width=3)
        if scene == "quay":
            d.rectangle([0, h - 170, w, h], fill=150)
            for i in range(60):
                figure(d, rng.randint(0, w), h - rng.randint(20, 140), rng.randint(25, 45), rng.randint(40, 90), rng)
            # smoke
            soft(g, rng, 18, horizon, 90)
    elif scene == "derricks":
        d.rectangle([0, horizon, w, h], fill=125)
        for i in range(14):
            x = rng.randint(0, w)
            base = horizon + rng.randint(0, h - horizon - 40)
            ht = int(80 + (base - horizon) * 0.9)
            wd = ht // 4
            col = rng.randint(25, 70)
            d.polygon([(x - wd, base), (x + wd, base), (x, base - ht)], outline=col, fill=None)
            d.line([(x - wd, base), (x, base - ht), (x + wd, base)], fill=col, width=4)
            for k in range(1, 5):
                yy = base - ht * k // 5
                half = wd * (5 - k) // 5
                d.line([(x - half, yy), (x + half, yy)], fill=col, width=2)
        soft(g, rng, 10, horizon // 2, 110)
    elif scene == "ruins":
        d.rectangle([0, horizon, w, h], fill=135)
        for i in range(30):
            x, y = rng.randint(-50, w), horizon + rng.randint(-80, h - horizon)
            bw, bh = rng.randint(40, 160), rng.randint(20, 90)
            d.polygon([(x, y), (x + bw, y + rng.randint(-20, 20)), (x + bw - 10, y + bh), (x + 5, y + bh)],
                      fill=rng.randint(80, 170))
        for i in range(3):
            x = rng.randint(100, w - 200)
            d.rectangle([x, horizon - 220, x + 140, horizon + 20], fill=rng.randint(90, 130))
            for k in range(6):
                wx, wy = x + 15 + (k % 2) * 60, horizon - 200 + (k // 2) * 70
                d.rectangle([wx, wy, wx + 35, wy + 45], fill=40)
        for i in range(9):
            figure(d, rng.randint(0, w), h - rng.randint(30, 200), rng.randint(60, 95), rng.randint(30, 70), rng)
    elif scene in ("orphans", "choir", "portrait", "group"):
        # studio or courtyard wall, people in rows
        d.rectangle([0, 0, w, h], fill=175)
        for i in range(0, w, 90):
            d.line([(i, 0), (i, h * 0.55)], fill=165, width=2)
        d.rectangle([0, int(h * 0.55), w, h], fill=140)
        rows = {"orphans": 3, "choir": 3, "portrait": 1, "group": 2}[scene]
        per = {"orphans": 11, "choir": 9, "portrait": 4, "group": 6}[scene]
        for r_ in range(rows):
            s = {"portrait": 260, "group": 150}.get(scene, 72) + r_ * 10
            y = int(h * 0.38) + r_ * int(s * 1.05) + (120 if scene == "portrait" else 0)
            for k in range(per):
                x = int((k + 0.5 + (0.5 if r_ % 2 else 0) * (scene != "portrait")) * w / (per + 0.5))
                figure(d, x + rng.randint(-8, 8), y, s, rng.randint(35, 80), rng)
        if scene == "choir":
            d.rectangle([w // 2 - 30, int(h * 0.2), w // 2 + 30, int(h * 0.5)], fill=30)
            d.ellipse([w // 2 - 28, int(h * 0.1), w // 2 + 28, int(h * 0.2)], fill=60)
    else:  # street / town
        d.rectangle([0, horizon, w, h], fill=140)
        d.polygon([(w * 0.35, h), (w * 0.65, h), (w * 0.52, horizon), (w * 0.48, horizon)], fill=165)
        x = -20
        while x < w:
            bw = rng.randint(70, 160)
            bh = rng.randint(120, 300)
            shade = rng.randint(90, 160)
            if not (w * 0.42 < x < w * 0.55):
                d.rectangle([x, horizon - bh, x + bw, horizon + 30], fill=shade)
                d.polygon([(x - 8, horizon - bh), (x + bw + 8, horizon - bh), (x + bw // 2, horizon - bh - 40)],
                          fill=shade - 40)
                for k in range(rng.randint(2, 6)):
                    wx = x + 10 + rng.randint(0, max(1, bw - 40))
                    wy = horizon - bh + 20 + rng.randint(0, max(1, bh - 60))
                    d.rectangle([wx, wy, wx + 18, wy + 26], fill=45)
            x += bw + rng.randint(0, 20)
        if scene == "mountain":
            d.polygon([(0, horizon - 150), (w * 0.3, horizon - 330), (w * 0.6, horizon - 200), (w, horizon - 300),
                       (w, horizon - 100), (0, horizon - 100)], fill=185)
        for i in range(12):
            figure(d, rng.randint(int(w * 0.3), int(w * 0.7)), horizon + rng.randint(40, h - horizon - 40),
                   rng.randint(30, 70), rng.randint(40, 80), rng)
    g = g.filter(ImageFilter.GaussianBlur(1.6))
    # grain
    n = noise_l(rng, w, h).point(lambda v: v // 12)
    g = ImageChops.subtract(ImageChops.add(g, n), Image.new("L", size, 10))
    vig = Image.radial_gradient("L").resize(size).point(lambda v: max(0, v - 120))
    g = ImageChops.subtract(g, vig)
    if tone == "sepia":
        img = sepia(g)
    elif tone == "colour":
        img = ImageOps.colorize(g, black=(25, 22, 30), mid=(150, 118, 92), white=(205, 220, 240))
    else:
        img = g.convert("RGB")
    if border:
        img = ImageOps.expand(img, border=24, fill=(240, 234, 220))
    return img


# ---------------------------------------------------------------------------
# PDFs

pdfmetrics.registerFont(TTFont("DejaVu", os.path.join(FONT_DIR, "DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont("DejaVu-Bold", os.path.join(FONT_DIR, "DejaVuSans-Bold.ttf")))
pdfmetrics.registerFont(TTFont("DejaVuSerif", os.path.join(FONT_DIR, "DejaVuSerif.ttf")))


def text_pdf(rel, title, pages, author="", fnt="DejaVuSerif", size=11.5):
    """pages: list of (heading or None, body text)."""
    c = canvas.Canvas(path(rel), pagesize=A4, invariant=1)
    c.setTitle(title)
    c.setAuthor(author)
    c.setCreator("hishatak sample generator")
    W, H = A4
    for i, (heading, body) in enumerate(pages):
        y = H - 72
        if heading:
            for hl in heading.split("\n"):
                c.setFont("DejaVu-Bold", 14)
                c.drawCentredString(W / 2, y, hl)
                y -= 20
            y -= 12
        c.setFont(fnt, size)
        for para in body.split("\n"):
            lines = simpleSplit(para, fnt, size, W - 144) if para.strip() else [""]
            for ln in lines:
                c.drawString(72, y, ln)
                y -= size * 1.45
            y -= 4
        c.setFont("DejaVu", 9)
        c.drawCentredString(W / 2, 40, "– %d –" % (i + 1))
        c.showPage()
    c.save()
    return rel


def image_pdf(rel, title, jpeg_rel):
    c = canvas.Canvas(path(rel), pagesize=A4, invariant=1)
    c.setTitle(title)
    c.setCreator("hishatak sample generator (scanner)")
    W, H = A4
    c.drawImage(path(jpeg_rel), 0, 0, width=W, height=H)
    c.showPage()
    c.save()
    return rel


# ===========================================================================
# the items


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)

    # --- 1. Van: three typed pages -------------------------------------------
    van = [
        "VAN, 20 May 1915.\n\nNotes compiled for the Consul from statements of residents of the Aygestan "
        "quarter.\n\nOn the morning of 20 April firing began along the line of the gardens. The defenders, "
        "perhaps a thousand men with some three hundred rifles, divided the quarter into sectors, each under "
        "a small committee. Women carried water and baked bread at night; boys collected spent cartridges to "
        "be refilled in a workshop behind the church.",
        "Powder was made from saltpetre scraped from old stable walls. A hospital was opened in the American "
        "mission compound, where the doctors treated the wounded of every faith. Food was rationed from the "
        "second week: half a loaf a person each day, more for the sick. The old walled city, cut off from the "
        "gardens, held out on its own and signalled with lanterns from the roofs.",
        "On 16 May the besieging forces withdrew, and the Russian advance guard with Armenian volunteers "
        "entered the city some days later. The committee estimates that the quarter sheltered over fifteen "
        "thousand refugees from the surrounding villages.\n\nThese notes are incomplete; names have been left "
        "out at the request of those who spoke to me.\n\n(signed) H. T., for the Consulate",
    ]
    files = [save_jpeg(scan_page("van-%d" % i, t), "scans/van-defence-%d.jpg" % i) for i, t in enumerate(van, 1)]
    row(files=files, kind="document",
        title__en="Notes on the defence of Van, April–May 1915",
        description__en="Three typed pages of notes on the defence of Van, compiled from residents' statements.\n"
                        "Page 3 is signed with initials only.",
        date="1915-05", lang="en", creator="British consular staff (initials H. T.)",
        collection=C_DEPORT, source_archive="The National Archives (Kew)", source_country="GB",
        reference="FO 371/2488/51010", acquired="2019-03-12",
        custody="Copied from the consular file; the copy reached the archive with a researcher's papers.",
        rights=INC, places=["Van"], subjects=["self-defence", "siege", "refugees"],
        transcript=write_text("texts/van-defence-en.txt", "\n\n".join(van)),
        meta__box="Box 3", meta__folder="12")

    # --- 2. Fresno letter with vanilla (PNG, handwritten) ---------------------
    t = ("Fresno, June 3rd, 1952\n\nDear Siranoush,\n\nthe apricots are in and Papa spends every morning at the "
         "drying trays. Before you drive down on Saturday, could you stop at the Armenian grocery and bring: two "
         "pounds of bulgur, a jar of tahini, dried mint, a bottle of vanilla (the good kind, not the imitation), "
         "mahleb for the choreg, and a box of candles for church. Mama wants to bake for Aunt Zabel's name day. "
         "The children ask every day when Auntie is coming.\n\nWith love from all the Khatchadourians,\nLucy")
    f = save_png(scan_page("fresno", t, style="hand", grain=False, tone=(242, 238, 226)), "scans/fresno-letter.png",
                 colors=32)
    row(files=f, kind="document", title__en="Letter from Lucy Khatchadourian to her sister, Fresno",
        description__en="Family letter with a shopping list for a name-day baking: bulgur, tahini, mint, vanilla, "
                        "mahleb, candles.",
        date="1952-06-03", lang="en", creator="Lucy Khatchadourian", collection=C_FAMILY,
        source_archive="Family collection", source_country="US", donor="Khatchadourian family",
        acquired="2021", rights=CC0, persons=["Lucy Khatchadourian", "Siranoush Khatchadourian"],
        places=["Fresno"], subjects=["family", "food", "emigration"],
        transcript=write_text("texts/fresno-letter-en.txt", t), meta__box="Box 1", meta__folder="4")

    # --- 3. Near East relief report, English PDF, 3 pages ---------------------
    ner = [
        ("AMERICAN COMMITTEE FOR RELIEF IN THE NEAR EAST\nKharpert Unit",
         "Report for the quarter ending 30 June 1919\n\n"
         "The Kharpert unit of the American Committee for Relief in the Near East now cares for 4,850 orphans "
         "in twenty-two houses in Kharpert and Mezreh, and gives bread rations to about 9,000 adults, nearly all "
         "of them widows. At the time of our arrival in February most of the children were living in the streets "
         "or in Kurdish and Turkish households; since then the gathering of children has been the first task of "
         "the unit. Each house has an Armenian matron and a teacher."),
        (None,
         "Industrial work. Six hundred women are employed at spinning and weaving. The cloth is used for the "
         "orphans' clothing and the surplus is sold in the market. A rug workshop with twelve looms was opened "
         "in May.\n\nTransport. Supplies reach us by camel and ox-cart from Aleppo, by way of Aintab, Marash and "
         "Malatia, a journey of twenty to twenty-six days. Two caravans were lost to brigands in April. Among "
         "the refugees who have come north from Der Zor there are perhaps three hundred children."),
        (None,
         "Needs. The unit asks for two further doctors, a trained nurse, 40,000 yards of cotton cloth, condensed "
         "milk, quinine and school books in Armenian.\n\nOur thanks are due to the committee in New York and to "
         "the Honourable Henry Morgenthau, whose appeal brought the funds for the spring season.\n\n"
         "Respectfully submitted,\nDirector of the Kharpert Unit"),
    ]
    f = text_pdf("pdf/kharpert-relief-report-1919.pdf", "Kharpert Unit report, 1919", ner,
                 author="American Committee for Relief in the Near East")
    row(files=f, kind="document",
        title__en="Report of the Kharpert unit, American Committee for Relief in the Near East",
        description__en="Quarterly report (three pages, text PDF) on orphanages, relief work and transport from "
                        "Aleppo through Aintab and Marash.",
        date="1919?", lang="en", creator="American Committee for Relief in the Near East", collection=C_DEPORT,
        source_archive="Near East Foundation records (Rockefeller Archive Center)", source_country="US",
        reference="NEF 2/7/114", acquired="2018-10-02", rights=NKC,
        persons=["Henry Morgenthau"], places=["Kharpert", "Aleppo", "Aintab", "Marash", "Der Zor"],
        subjects=["relief", "orphanage"], meta__box="Box 7", meta__folder="114")

    # --- 4. Baku report: image-only PDF -----------------------------------------
    t = ("BRITISH FORCES, BAKU - RELIEF SECTION\nBaku, 14 February 1919\nSubject: Armenian refugees in Baku\n\n"
         "1. About 18,000 Armenian refugees remain in Baku, most of them from Shemakha, Karabagh and the Nukha "
         "district. Some 4,000 are housed in former barracks and in empty warehouses of the oil companies.\n"
         "2. Many of the men worked before the war in the oil industry at Balakhany and Surakhany; work at the "
         "wells has begun again and about 600 have been taken on.\n"
         "3. Typhus cases fell in January. Flour from Tiflis and Enzeli is issued twice a week.\n"
         "4. Families wishing to return to Erivan should be given passage by rail when the line is open.\n\n"
         "(signed) Captain, Relief Officer")
    scan = scan_page("baku-report", t, grain=True)
    save_jpeg(scan, "pdf/_baku-scan.jpg", quality=75)
    f = image_pdf("pdf/baku-refugees-1919-scan.pdf", "Scan", "pdf/_baku-scan.jpg")
    os.remove(path("pdf/_baku-scan.jpg"))
    row(files=f, kind="document", title__en="Report on Armenian refugees in Baku, February 1919",
        description__en="Image-only PDF (a scanned page, no text layer); see the transcript.",
        date="1919-02-14", lang="en", creator="British Forces, Baku", collection=C_CAUC,
        source_archive="The National Archives (Kew)", source_country="GB", reference="WO 95/4962",
        acquired="2020", rights=INC, places=["Baku", "Tiflis", "Yerevan"],
        subjects=["refugees", "oil industry", "relief"],
        transcript=write_text("texts/baku-report-en.txt", t))

    # --- 5. Russian PDF: refugees in Erzurum, 1916 -----------------------------
    t = ("Начальнику санитарной части Кавказской армии\n\n"
         "Доношу, что в Эрзуруме к 14 марта 1916 года в трёх зданиях бывших казарм размещено около двух тысяч "
         "армянских беженцев из окрестных сёл, преимущественно женщин и детей. Сыпной тиф ещё не прекратился: "
         "за последнюю неделю умерло 46 человек. Врач Пётр Семёнович Оганов и две сестры милосердия из Тифлиса "
         "работают без отдыха. Ощущается острая нехватка белья, мыла и дров. Прошу распоряжения о присылке хотя "
         "бы одного вагона с тёплыми вещами через Сарыкамыш.\n\n"
         "Уполномоченный Всероссийского союза городов\nА. Тер-Гевондов")
    f = text_pdf("pdf/erzurum-refugees-1916-ru.pdf", "Донесение о беженцах в Эрзуруме",
                 [("ДОНЕСЕНИЕ", t)], author="А. Тер-Гевондов")
    row(files=f, kind="document", title__ru="Донесение о беженцах в Эрзуруме",
        title__en="Report on a refugee shelter, March 1916",
        description__en="Russian report with a text layer on typhus among refugees housed in former barracks.",
        date="1916-03-14", lang="ru", creator="А. Тер-Гевондов", collection=C_CAUC,
        source_archive="Russian State Military Historical Archive", source_country="RU",
        reference="F. 2168, op. 1, d. 315", acquired="2017-06", rights=NKC,
        persons=["Пётр Семёнович Оганов"], places=["Erzurum", "Tiflis", "Sarikamish"],
        subjects=["refugees", "typhus", "relief"], meta__box="Box 5", meta__folder="2")

    # --- 6. French dispatch, greyscale TIFF -------------------------------------
    t = ("Erzeroum, le 3 février 1896\n\nMonsieur le Ministre,\n\nJ'ai l'honneur de rendre compte à Votre "
         "Excellence de la situation à Erzeroum depuis les désordres de l'automne dernier. Les boutiques du bazar "
         "arménien restent en grande partie fermées ; beaucoup de familles des villages voisins se sont "
         "réfugiées en ville et vivent dans les églises. Les missionnaires américains distribuent chaque jour du "
         "pain à près de huit cents personnes. Le Vali m'assure que l'ordre est rétabli, mais les nouvelles qui "
         "arrivent de Trébizonde et de la plaine de Mouch ne sont guère rassurantes.\n\nVeuillez agréer, "
         "Monsieur le Ministre, les assurances de mon profond respect.\n\nLe Consul de France")
    img = scan_page("erzeroum", t, grain=False).convert("L")
    img.save(path("scans/erzeroum-depeche-1896.tif"), compression="tiff_adobe_deflate")
    row(files="scans/erzeroum-depeche-1896.tif", kind="document",
        title__fr="Dépêche du consulat de France à Erzeroum",
        title__en="Dispatch from the French consulate at Erzurum, 1896",
        description__en="Greyscale TIFF scan of a consular dispatch on the aftermath of the 1895 disturbances.",
        date="1896%", lang="fr", creator="Consulat de France à Erzeroum", collection=C_DEPORT,
        source_archive="Archives diplomatiques (La Courneuve)", source_country="FR",
        reference="CPC Turquie, Erzeroum, vol. 4, f. 112", acquired="2016", rights=NKC,
        places=["Erzurum", "Trebizond", "Mush"], subjects=["massacres of 1895–1896", "relief"],
        transcript=write_text("texts/erzeroum-depeche-fr.txt", t))

    # --- 7. Turkish letter from İstanbul, 1934 (JPEG) --------------------------
    t = ("İstanbul, 2 Teşrinisani 1934\n\nAziz dostum Hagop,\n\nMektubunu geçen hafta aldım, çok sevindim. "
         "Gelecek ilkbaharda Erzurum'a gitmeyi düşünüyorum; babamın evinden ve kilisemizden ne kaldığını görmek "
         "istiyorum. Vapurla Trabzon'a, oradan otomobille yola çıkacağım. Soyadı kanunu çıktı, biz de yeni bir "
         "soyadı seçmek zorundayız. Annem Halep'teki akrabalardan haber bekliyor.\n\nSana Kadıköy'den selam ve "
         "hürmetler.\n\nDostun Karnik")
    f = save_jpeg(scan_page("istanbul-1934", t, style="hand"), "scans/istanbul-letter-1934.jpg")
    row(files=f, kind="document", title__tr="İstanbul'dan Hagop'a mektup",
        title__en="Letter from Istanbul to a friend, 1934",
        description__en="Handwritten letter in Turkish (Latin script) about a planned journey east and the new "
                        "surname law.",
        date="1934-11-02", lang="tr", creator="Karnik (surname not given)", collection=C_FAMILY,
        source_archive="Family collection", source_country="TR", donor="Demirciyan family",
        acquired="2022-01-20", rights=CC0, persons=["Hagop", "Karnik"],
        places=["Istanbul", "Erzurum", "Trabzon", "Aleppo"], subjects=["family", "surname law"],
        transcript=write_text("texts/istanbul-letter-1934-tr.txt", t))

    # --- 8. Land registry, bilevel TIFF G4 --------------------------------------
    t = ("T.C.\nElazığ Tapu Sicil Müdürlüğü\n\nKayıt sureti\n\nMevkii: Harput, Kale mahallesi, 117 numaralı "
         "parsel\nEski maliki: Kevork oğlu Sarkis (1915 öncesi kayıt)\nŞimdiki maliki: Hazine\nCinsi: Ahşap ev ve "
         "bahçe, 640 metre murabba\n\nBu suret, talep üzerine aslına uygun olarak verilmiştir.\n\n"
         "Elazığ, 14 Mayıs 1957\nMüdür (imza)")
    img = scan_page("harput-tapu", t, grain=False, tilt=0.3).convert("L")
    img = img.point(lambda v: 255 if v > 150 else 0).convert("1")
    img.save(path("scans/harput-tapu-1957.tif"), compression="group4")
    row(files="scans/harput-tapu-1957.tif", kind="document",
        title__tr="Harput Tapu Müdürlüğü kayıt sureti",
        title__en="Copy of a land-registry entry, 1957",
        description__en="Bilevel (1-bit, CCITT Group 4) TIFF of a certified copy of a property record.",
        date="1957-05-14", lang="tr", creator="Elazığ Tapu Sicil Müdürlüğü", collection=C_FAMILY,
        source_archive="Family collection", source_country="US", donor="Sarkisian family",
        acquired="2015", custody="Requested by the family in 1957; kept in Watertown, Massachusetts.",
        rights="Public domain (official document); reproduced with the family's permission.",
        persons=["Sarkis"], places=["Harput", "Elazig"], subjects=["property", "land registry"],
        transcript=write_text("texts/harput-tapu-tr.txt", t))

    # --- 9. German consular report, PDF ------------------------------------------
    t = ("Aleppo, den 5. Februar 1916\n\nAn Seine Exzellenz den Reichskanzler\n\n"
         "Euerer Exzellenz beehre ich mich zu berichten, dass die Verschickung der Armenier in die Wüste trotz "
         "aller Vorstellungen fortgesetzt wird. Die Deportierten, die seit Juni 1915 aus Marasch, Aintab und den "
         "nördlichen Provinzen hier eintrafen, wurden in Gruppen weiter nach Der Zor geschickt. Nach Angaben "
         "deutscher Augenzeugen herrschen in den Lagern am Euphrat Hunger und Fleckfieber. Die Schwestern des "
         "Hilfsbundes verteilen Brot, soweit die Behörden es gestatten.\n\nHerr Dr. Johannes Lepsius hat um "
         "Abschriften dieser Berichte gebeten; ich erlaube mir, sie beizufügen.\n\nDer Konsul")
    f = text_pdf("pdf/aleppo-konsulat-1916-de.pdf", "Bericht des Konsulats Aleppo",
                 [("Kaiserlich Deutsches Konsulat Aleppo", t)])
    row(files=f, kind="document", title__de="Bericht des Konsulats Aleppo über die Lager am Euphrat",
        title__en="Report of the German consulate in Aleppo on the camps on the Euphrates",
        description__en="German text PDF; one report from a file running June 1915 to February 1916.",
        date="1915-06/1916-02", lang="de", creator="Kaiserlich Deutsches Konsulat Aleppo", collection=C_DEPORT,
        source_archive="Politisches Archiv des Auswärtigen Amts", source_country="DE", reference="R 14086",
        acquired="2014-09-30", rights=NKC, persons=["Johannes Lepsius"],
        places=["Aleppo", "Der Zor", "Marash", "Aintab"], subjects=["deportation", "relief"],
        meta__box="R 14086", meta__folder="Bl. 45–47")

    # --- 10. Letter to Lepsius, 16-bit greyscale PNG -------------------------------
    t = ("Marasch, den 10. August 1916\n\nHochverehrter Herr Doktor Lepsius,\n\nIhr Brief vom Mai ist erst "
         "gestern angekommen. Im Waisenhaus haben wir jetzt 212 Kinder, viele davon aus den Dörfern um Zeitun. "
         "Die Teuerung ist schlimm; ein Sack Mehl kostet das Vierfache des Vorjahres. Trotzdem gehen die Kleinen "
         "jeden Morgen zur Schule und singen. Bitte grüßen Sie die Freunde in Potsdam und danken Sie ihnen für "
         "die Sendung.\n\nIn herzlicher Verbundenheit\nIhre Schwester Paula R.")
    img = scan_page("lepsius-brief", t, style="hand", grain=False, size=(640, 860)).convert("L")
    img16 = img.convert("I").point(lambda v: v * 257).convert("I;16")
    img16.save(path("scans/brief-an-lepsius-1916.png"), optimize=True)
    row(files="scans/brief-an-lepsius-1916.png", kind="document",
        title__de="Brief einer Missionsschwester an Johannes Lepsius",
        title__en="Letter from a mission sister to Johannes Lepsius",
        description__en="16-bit greyscale PNG scan of a handwritten letter from the orphanage at Marash.",
        date="1916-08-10", lang="de", creator="Schwester Paula R.", collection=C_DEPORT,
        source_archive="Dr. Johannes-Lepsius-Archiv (Halle)", source_country="DE", reference="LAH 7/214",
        acquired="2013", rights=INC, persons=["Johannes Lepsius", "Paula R."], places=["Marash", "Zeitun"],
        subjects=["orphanage", "relief"], transcript=write_text("texts/brief-an-lepsius-de.txt", t))

    # --- 11. Armenian letter from Baku, 1905 (JPEG) ----------------------------------
    t = ("Բաքու, 1905 թ. մարտ։\n\nՍիրելի՛ մայրիկ,\n\nքո նամակը ստացա։ Մենք ողջ ենք, փառք Աստծո։ Փետրվարի "
         "օրերին քաղաքում կրակոցներ էին, խանութները փակ էին, և մենք երեք օր տնից դուրս չեկանք։ Հիմա Բաքու "
         "քաղաքը հանգիստ է, բայց մարդիկ դեռ վախենում են։ Հայրս դեռ աշխատում է նավթահանքերում, Բալախանիում։ "
         "Ե՞րբ պիտի գաս մեզ մոտ։ Ողջունի՜ր քույրիկիս։\n\nՔո որդի՝ Արամ")
    tr_en = ("Baku, March 1905.\n\nDear mother,\n\nI received your letter. We are alive, thank God. In the February "
             "days there was shooting in the town, the shops were shut, and we did not leave the house for three "
             "days. Now the city is quiet, but people are still afraid. Father is still working at the oil "
             "fields, in Balakhany. When will you come to us? Greet my little sister!\n\nYour son, Aram")
    f = save_jpeg(scan_page("baku-1905", t, style="hand"), "scans/baku-letter-1905.jpg")
    row(files=f, kind="document", title__hy="Նամակ Բաքուից", title__en="Letter to a mother, March 1905",
        description__en="Handwritten Armenian letter written after the February 1905 clashes; the writer's "
                        "father works at the oil fields.",
        date="1905-03-XX", lang="hy", creator="Արամ", collection=C_CAUC,
        source_archive="National Archives of Armenia", source_country="AM", reference="F. 57, op. 1, d. 12",
        acquired="2019", rights=NKC, places=["Baku", "Balakhany"], subjects=["oil industry", "family"],
        transcript=write_text("texts/baku-letter-1905-hy.txt", t),
        translation__en=write_text("texts/baku-letter-1905-en.txt", tr_en), meta__box="F. 57")

    # --- 12. Russian letter mentioning Хачатурян (JPEG) -----------------------------
    t = ("Ереван, 12 октября 1946 г.\n\nДорогой Пётр Андреевич,\n\nпосылаю Вам, как обещала, копии записей "
         "народных песен из Ширака. Их сделала моя студентка Анна Хачатурян прошлым летом, ещё до начала "
         "занятий. Восковые валики сохранились плохо, но мелодии разобрать можно. Мне кажется, что некоторые "
         "из них совпадают с записями, сделанными в начале века. Если консерватория согласится издать сборник, "
         "Хачатурян готова приехать в Москву.\n\nС уважением,\nЕ. Саркисова")
    f = save_jpeg(scan_page("khach-ru", t), "scans/folk-songs-letter-1946-ru.jpg")
    row(files=f, kind="document", title__ru="Письмо о записях народных песен",
        title__en="Letter about folk-song recordings from Shirak, 1946",
        description__en="Typed Russian letter from Yerevan to Moscow about a student's field recordings.",
        date="1946-10-12", lang="ru", creator="Е. Саркисова", collection=C_MUSIC,
        source_archive="Charents Museum of Literature and Arts", source_country="AM",
        reference="Fond 12, inv. 3, no. 88", acquired="2018", rights=INC,
        persons=["Анна Хачатурян", "Е. Саркисова"], places=["Yerevan", "Moscow", "Shirak"],
        subjects=["music", "folk song"], transcript=write_text("texts/folk-songs-letter-1946-ru.txt", t))

    # --- 13. French orphanage report, Beirut (PNG) --------------------------------------
    t = ("Rapport sur l'orphelinat arménien de Beyrouth\n\nL'établissement abrite actuellement 340 enfants, "
         "garçons et filles, venus pour la plupart d'Alep, de Marache et d'Aïntab après l'évacuation de la "
         "Cilicie. Les plus jeunes ont cinq ans. Les garçons apprennent la cordonnerie, la menuiserie et la "
         "reliure ; les filles, la couture et la dentelle. Deux institutrices enseignent l'arménien et le "
         "français. L'état sanitaire est satisfaisant, à l'exception de quelques cas de trachome. Nous manquons "
         "de lait, de couvertures et de chaussures pour l'hiver.\n\nLa Directrice remercie les comités de "
         "Marseille et de Lyon pour leurs envois.")
    f = save_png(scan_page("beyrouth", t, grain=False), "scans/orphelinat-beyrouth.png", colors=32)
    row(files=f, kind="document", title__fr="Rapport sur l'orphelinat arménien de Beyrouth",
        title__en="Report on the Armenian orphanage in Beirut",
        description__en="Typed French report, undated (1920s), on 340 children from Aleppo, Marash and Aintab.",
        date="192X", lang="fr", creator="La Directrice de l'orphelinat", collection=C_DEPORT,
        source_archive="Archives of the Catholicosate of Cilicia (Antelias)", source_country="LB",
        reference="Orph. 3/27", acquired="2020-11-05", rights=NKC, places=["Beirut", "Aleppo", "Marash", "Aintab"],
        subjects=["orphanage", "relief"], meta__box="Box 9", meta__folder="27")

    # --- 14. Austrian consular report, Trebizond (JPEG) ------------------------------------
    t = ("K. u. k. Konsulat Trapezunt\nTrapezunt, den 15. Juli 1915\n\nIn den ersten Julitagen wurde die "
         "armenische Bevölkerung der Stadt aufgefordert, sich binnen fünf Tagen zur Abreise bereitzuhalten. Die "
         "Männer wurden in Gruppen weggeführt; Frauen und Kinder folgten auf der Straße nach Gümüşhane. Einige "
         "Kinder wurden in griechischen und türkischen Häusern aufgenommen. Der Bazar ist geschlossen, die "
         "Häuser sind versiegelt. Ich habe dem Vali die Bitte des Konsularkorps um Schonung der Kranken "
         "übermittelt, bisher ohne Antwort.\n\nDer k. u. k. Konsul")
    f = save_jpeg(scan_page("trapezunt", t), "scans/trapezunt-bericht-1915.jpg")
    row(files=f, kind="document", title__de="Bericht des k. u. k. Konsulats Trapezunt",
        title__en="Report of the Austro-Hungarian consulate at Trebizond, July 1915",
        date="1915-07-15", lang="de", creator="K. u. k. Konsulat Trapezunt", collection=C_DEPORT,
        source_archive="Österreichisches Staatsarchiv (Haus-, Hof- und Staatsarchiv)", source_country="AT",
        reference="PA XXXVIII, Kt. 368", acquired="2016-04", rights=NKC, places=["Trebizond", "Gumushane"],
        subjects=["deportation"], transcript=write_text("texts/trapezunt-bericht-de.txt", t))

    # --- 15. RESTRICTED: Aleppo register (JPEG) -----------------------------------------------
    t = ("ALEPPO ORPHANAGE - REGISTER OF CHILDREN PLACED WITH FAMILIES\nFile Hovsepian-confidential. Not to be "
         "shown without the consent of the persons named.\n\nNo. 114. Girl, about eight years old, from Marash, "
         "mother's name unknown; placed with a family in the Azizieh quarter, 3 March 1923.\n\nNo. 115. Boy, "
         "about six, says he is from Aintab; speaks only Turkish; placed with the Hovsepian family, 9 March "
         "1923.\n\nNo. 116. Girl, twelve, from the Der Zor camps; returned to an aunt found through the newspaper "
         "notices, 21 March 1923.\n\nEntries checked by the committee secretary.")
    f = save_jpeg(scan_page("aleppo-register", t), "scans/aleppo-register-1923.jpg")
    row(files=f, kind="document", title__en="Register of children placed with families, Aleppo",
        description__en="Restricted: names living descendants. File note Hovsepian-confidential.",
        date="1923-03", lang="en", creator="Aleppo orphanage committee", collection=C_DEPORT,
        source_archive="Family collection", source_country="LB", donor="Hovsepian family", acquired="2023-02-14",
        custody="Kept by the committee secretary's family in Aleppo, then Beirut.",
        rights="All rights reserved by the donor; access only with the donor's written consent.",
        access="restricted", persons=["Hovsepian"], places=["Aleppo", "Marash", "Aintab", "Der Zor"],
        subjects=["orphanage", "adoption"], transcript=write_text("texts/aleppo-register-en.txt", t),
        meta__box="Box 11", meta__folder="1")

    # --- 16. Armenian letter from Erivan, spring 1920 (JPEG) -----------------------------------
    t = ("Երևան, 1920 թ. ապրիլի 18։\n\nՀարգելի՛ պարոն Խաչատրյան,\n\nՁեր ուղարկած հացահատիկի երկու վագոնը "
         "հասան Երևան ապրիլի 15-ին։ Այն բաժանվեց Քանաքեռի և Կոնդի որբանոցների միջև։ Երեխաների թիվն այժմ "
         "անցնում է երեք հազարից։ Մեզ դեռ պակասում են կոշիկներ, օճառ և դեղորայք։ Ամերիկյան կոմիտեի "
         "ներկայացուցիչները խոստացել են նոր բեռ ուղարկել Կարսից։ Կխնդրե՞իք արդյոք նաև Թիֆլիսի ընկերներին "
         "օգնել։\n\nԽորին հարգանքով՝\nորբանոցի տնօրեն Ս. Մելքոնյան")
    tr_en = ("Erivan, 18 April 1920.\n\nDear Mr Khachatryan,\n\nthe two wagons of grain you sent reached Erivan "
             "on 15 April. They were divided between the orphanages of Kanaker and Kond. The number of children "
             "is now more than three thousand. We still lack shoes, soap and medicines. The representatives of "
             "the American committee have promised to send a new load from Kars. Would you also ask our friends "
             "in Tiflis to help?\n\nWith deep respect,\nS. Melkonyan, director of the orphanage")
    f = save_jpeg(scan_page("erivan-1920", t), "scans/erivan-letter-1920.jpg")
    row(files=f, kind="document", title__hy="Նամակ Երևանից, 1920 թ. գարուն",
        title__en="Letter from Erivan, spring 1920",
        description__en="Typed Armenian letter thanking a donor for grain sent to the orphanages.",
        date="1920-21", lang="hy", creator="Ս. Մելքոնյան", collection=C_CAUC,
        source_archive="National Archives of Armenia", source_country="AM", reference="F. 199, op. 1, d. 40",
        acquired="2019", rights=NKC, persons=["Խաչատրյան", "Ս. Մելքոնյան"], places=["Yerevan", "Kars", "Tiflis"],
        subjects=["orphanage", "relief"], transcript=write_text("texts/erivan-letter-1920-hy.txt", t),
        translation__en=write_text("texts/erivan-letter-1920-en.txt", tr_en))

    # --- 17. Telegram, 24 April 1915 (JPEG) + Armenian translation --------------------------------
    t = ("TELEGRAM\nAMERICAN EMBASSY CONSTANTINOPLE APRIL 24 1915\nSECSTATE WASHINGTON\n\n"
         "LAST NIGHT POLICE ARRESTED SEVERAL HUNDRED ARMENIANS OF CONSTANTINOPLE INCLUDING WRITERS DEPUTIES "
         "DOCTORS AND CLERGY STOP THEY WERE TAKEN TO THE CENTRAL PRISON AND ARE SAID TO BE SENT INTO ANATOLIA "
         "STOP FAMILIES HAVE COME TO THE EMBASSY ASKING FOR NEWS STOP AMBASSADOR MORGENTHAU HAS RAISED MATTER "
         "WITH MINISTER OF INTERIOR STOP FURTHER REPORT FOLLOWS\n\nFOR THE AMBASSADOR J W")
    tr_hy = ("Հեռագիր։ Ամերիկյան դեսպանատուն, Կոստանդնուպոլիս, 1915 թ. ապրիլի 24։\n\n"
             "Անցած գիշեր ոստիկանությունը ձերբակալեց Կոստանդնուպոլսի մի քանի հարյուր հայերի, այդ թվում "
             "գրողների, պատգամավորների, բժիշկների և հոգևորականների։ Նրանց տարել են կենտրոնական բանտ, և ասում "
             "են, որ պիտի ուղարկեն Անատոլիա։ Ընտանիքները գալիս են դեսպանատուն՝ լուր իմանալու։ Դեսպան "
             "Մորգենթաուն հարցը բարձրացրել է ներքին գործերի նախարարի մոտ։ Հաջորդ զեկույցը կհետևի։")
    f = save_jpeg(scan_page("telegram-1915", t, tone=(230, 222, 196)), "scans/telegram-1915-04-24.jpg")
    row(files=f, kind="document", title__en="Telegram on the arrests in Constantinople, 24 April 1915",
        description__en='Embassy telegram form, marked "copy, not for circulation" in pencil.',
        date="1915-04-24", lang="en", creator="American Embassy, Constantinople", collection=C_DEPORT,
        source_archive="National Archives and Records Administration (College Park)", source_country="US",
        reference="RG 59, 867.4016/52", acquired="2012", rights=CC0, persons=["Henry Morgenthau"],
        places=["Constantinople"], subjects=["arrests", "deportation"],
        transcript=write_text("texts/telegram-1915-en.txt", t),
        translation__hy=write_text("texts/telegram-1915-hy.txt", tr_hy))

    # --- publications ---------------------------------------------------------------------------
    prog = ("Paris, le samedi 8 décembre 1906, à 9 heures du soir\n\n"
            "Première partie : chants populaires\n1. Chant de labour (Horovel)\n2. La Grue (Krounk)\n"
            "3. Chansons de danse du Vaspourakan\n\nDeuxième partie : musique sacrée\n"
            "4. Hymnes de la liturgie arménienne, harmonisés par Komitas\n5. Chant du matin\n\n"
            "Au piano : Mlle A. Dadian.\nUne courte conférence sur la musique populaire arménienne précédera "
            "le concert.\n\nPrix des places : 5 francs et 3 francs. Le produit sera versé aux écoles arméniennes "
            "de Constantinople.")
    f = text_pdf("pdf/komitas-programme-1906-fr.pdf", "Programme du concert de musique arménienne",
                 [("PROGRAMME\nConcert de musique arménienne\ndonné par le R. P. Komitas", prog)], size=12.5)
    row(files=f, kind="publication", title__fr="Programme du concert de musique arménienne du R. P. Komitas",
        title__en="Programme of a concert of Armenian music by Komitas, Paris 1906",
        description__en="Printed concert programme (text PDF), folk songs and liturgical music.",
        date="1906-12-08", lang="fr", creator="Komitas", collection=C_MUSIC,
        source_archive="Bibliothèque nationale de France, département de la Musique", source_country="FR",
        reference="Programmes 1906/412", acquired="2017", rights=CC0, persons=["Komitas"], places=["Paris"],
        subjects=["music", "concert"])

    t = ("ТИФЛИС\nТеатр Артистического общества\n\nВ воскресенье, 10 апреля 1905 года\n\nКОНЦЕРТ\n"
         "армянской народной и духовной музыки\n\nХор из шестидесяти человек исполнит народные песни, "
         "записанные в сёлах Айрарата, и песнопения литургии.\n\nДирижёр: архимандрит Комитас.\n\n"
         "Начало в 8 часов вечера. Билеты продаются в книжном магазине на Головинском проспекте.")
    img = scan_page("tiflis-afisha", t, tone=(225, 205, 160), header="АФИША")
    f = save_jpeg(img, "scans/tiflis-afisha-1905-ru.jpg")
    row(files=f, kind="publication", title__ru="Афиша концерта в Тифлисе",
        title__en="Poster for a concert of Armenian music in Tiflis, 1905",
        description__en="Printed Russian poster: choir of sixty, folk songs and liturgy.",
        date="1905-04-10", lang="ru", creator="Театр Артистического общества", collection=C_MUSIC,
        source_archive="National Archives of Georgia", source_country="GE", reference="F. 480, op. 1, d. 77",
        acquired="2018", rights=NKC, persons=["Комитас"], places=["Tiflis"], subjects=["music", "concert"],
        transcript=write_text("texts/tiflis-afisha-1905-ru.txt", "АФИША\n\n" + t))

    t = ("ԳՐԱԿԱՆ ԵՐԵԿՈՅ ՄԸ\n\nԱնցեալ Կիրակի, Պուրճ Համուտի մշակութային տան սրահին մէջ, տեղի ունեցաւ գրական "
         "երեկոյ մը՝ նուիրուած Զապէլ Եսայեանի գործերուն։ Ներկայ էին աւելի քան երկու հարիւր հոգի, ուսուցիչներ "
         "եւ աշակերտներ, ծնողներ եւ հիւրեր Հալէպէն։ Օրուան բանախօսը անդրադարձաւ հեղինակին «Աւերակներուն մէջ» "
         "գիրքին եւ անոր ճամբորդութեան Կիլիկիա։ Երգչախումբը կատարեց ժողովրդական երգեր։ Երեկոն փակուեցաւ "
         "հայրենի երգով մը։\n\nԾԱՆՕԹՈՒԹԻՒՆ։ Յաջորդ երեկոն տեղի պիտի ունենայ Յունիսի վերջաւորութեան։")
    f = text_pdf("pdf/nor-arshalouys-1956-hy.pdf", "Նոր Արշալոյս, 12 Մայիս 1956",
                 [("ՆՈՐ ԱՐՇԱԼՈՅՍ\nՊէյրութ, Շաբաթ, 12 Մայիս 1956", t)], fnt="DejaVu", size=12)
    row(files=f, kind="publication", title__hy="«Նոր Արշալոյս» օրաթերթ, 12 Մայիս 1956",
        title__en="Nor Arshalouys newspaper, Beirut, 12 May 1956",
        description__en="Page of a (fictional) Beirut Armenian daily in classical orthography: a literary "
                        "evening devoted to Zabel Yesayan.",
        date="1956-05-12", lang="hy", creator="Նոր Արշալոյս", collection=C_PRESS,
        source_archive="Haigazian University Library", source_country="LB", reference="Per. NA 1956/112",
        acquired="2021-07", rights=INC, persons=["Zabel Yesayan"], places=["Beirut", "Aleppo"],
        subjects=["literature", "press"])

    t = ("THE FRESNO ARMENIAN HERALD\nSaturday, January 10, 1948\n\nFORTY FRESNO FAMILIES TO SAIL FOR SOVIET "
         "ARMENIA\n\nForty families from Fresno and Selma have registered with the repatriation committee and "
         "expect to leave from New York on the steamer Rossia later this year. Most are farmers and tradesmen born "
         "in the old country. 'We are going home,' said one raisin grower, who was born near Mush. Not everyone "
         "agrees: at a crowded meeting in the church hall on Sunday, several speakers urged caution and asked what "
         "work and housing would await the newcomers in Yerevan. The committee will meet again next Sunday after "
         "services.")
    img = scan_page("fresno-herald", t, grain=False, tone=(232, 228, 215), size=(700, 900)).convert("L")
    f = save_png(img, "scans/fresno-herald-1948.png")
    row(files=f, kind="publication", title__en="Fresno Armenian Herald: families to sail for Soviet Armenia",
        description__en="Clipping from a (fictional) English-language Armenian weekly about the 1947–1949 "
                        "repatriation.",
        date="1948-01-10", lang="en", creator="The Fresno Armenian Herald", collection=C_PRESS,
        source_archive="Fresno County Public Library", source_country="US", reference="Clippings 1948/3",
        acquired="2021-11", rights=NKC, places=["Fresno", "Yerevan", "New York"],
        subjects=["emigration", "repatriation", "press"], meta__box="Box 1", meta__folder="9",
        transcript=write_text("texts/fresno-herald-1948-en.txt", t))

    # --- photos -----------------------------------------------------------------------------------
    # EXIF photo (Spitak 1988): stored rotated, Orientation=6
    img = photo("spitak", "ruins", size=(1100, 720), tone="colour", border=False)
    stored = img.rotate(90, expand=True)  # displayed upright after a 90° clockwise turn (orientation 6)
    exif = Image.Exif()
    exif[0x010F] = "KMZ"
    exif[0x0110] = "Zenit-E (film, scanned)"
    exif[0x0112] = 6
    exif[0x0131] = "hishatak sample generator"
    exif.get_ifd(0x8769)[0x9003] = "1988:12:07 15:20:00"
    gps = exif.get_ifd(0x8825)
    gps[0] = b"\x02\x03\x00\x00"
    gps[1] = "N"
    gps[2] = (IFDRational(40), IFDRational(50), IFDRational(1339, 100))
    gps[3] = "E"
    gps[4] = (IFDRational(44), IFDRational(16), IFDRational(303, 100))
    f = save_jpeg(stored, "photos/spitak-1988.jpg", exif=exif.tobytes())
    row(files=f, kind="photo", title__en="Rescue workers in Spitak after the earthquake",
        title__hy="Սպիտակ, երկրաշարժից հետո",
        description__en="Colour photograph with camera EXIF (make, model, date, GPS; orientation 6: stored "
                        "sideways).",
        date="1988-12-07", lang="en;hy", creator="unknown relief worker", collection=C_FAMILY,
        source_archive="Family collection", source_country="AM", donor="Petrosyan family", acquired="2019-12-07",
        rights=INC, places=["Spitak"], subjects=["earthquake", "relief"])

    # near-duplicate pair
    img = photo("aleppo-orphans", "orphans", size=(1000, 680))
    f1 = save_jpeg(img, "photos/aleppo-orphans-a.jpg", quality=85)
    small = img.resize((int(img.width * 0.9), int(img.height * 0.9)), Image.LANCZOS)
    f2 = save_jpeg(small, "photos/aleppo-orphans-b.jpg", quality=70)
    row(files=f1, kind="photo", title__en="Orphans at the Aleppo orphanage",
        description__en="Group of children in three rows in a courtyard. Same picture as the copy from the "
                        "Baghdassarian family, scanned separately.",
        date="1922-05", lang="en", collection=C_DEPORT, source_archive="Family collection", source_country="US",
        donor="Mardirossian family", acquired="2018-05-20", rights=NKC, places=["Aleppo"],
        subjects=["orphanage", "relief"])
    row(files=f2, kind="photo", title__fr="Orphelins à Alep", title__en="Orphans in Aleppo (second copy)",
        description__en="A smaller, more compressed copy of the same photograph, given by another family.",
        date="1922-05", lang="fr;en", collection=C_DEPORT, source_archive="Family collection",
        source_country="FR", donor="Baghdassarian family", acquired="2020-02-03", rights=NKC, places=["Aleppo"],
        subjects=["orphanage", "relief"])

    f = save_jpeg(photo("erzurum-street", "street"), "photos/erzurum-street.jpg")
    row(files=f, kind="photo", title__en="A street in Erzurum under Russian administration",
        title__tr="Erzurum'da bir sokak",
        description__en="Street with two-storey houses and passers-by; taken by a Russian army photographer.",
        date="1916~", lang="en;tr", creator="unknown Russian army photographer", collection=C_CAUC,
        source_archive="Russian State Military Historical Archive", source_country="RU",
        reference="F. 2000, op. 3, d. 1401, l. 9", acquired="2017-06", rights=NKC, places=["Erzurum"],
        subjects=["townscape"])

    f = save_jpeg(photo("etchmiadzin-choir", "choir"), "photos/etchmiadzin-choir.jpg")
    row(files=f, kind="photo", title__hy="Կոմիտաս վարդապետը Էջմիածնի երգչախմբի հետ",
        title__en="Choir portrait at Etchmiadzin",
        description__en="The vardapet stands in the centre among three rows of singers.",
        date="1912", lang="hy", collection=C_MUSIC, source_archive="Archive of the Mother See of Holy Etchmiadzin",
        source_country="AM", reference="Photo 1/58", acquired="2016", rights=NKC, persons=["Կոմիտաս"],
        places=["Etchmiadzin"], subjects=["music", "choir"])

    f = save_jpeg(photo("derricks", "derricks"), "photos/baku-derricks.jpg")
    row(files=f, kind="photo", title__ru="Нефтяные вышки в Баку", title__en="Oil derricks at Balakhany",
        description__en="Wooden derricks and smoke over the oil fields.",
        date="1910~", lang="ru", collection=C_CAUC, source_archive="Family collection", source_country="AM",
        donor="Ter-Petrosyan family", acquired="2019", rights=NKC, places=["Baku", "Balakhany"],
        subjects=["oil industry"])

    f = save_jpeg(photo("smyrna-quay", "quay"), "photos/smyrna-quay-1922.jpg")
    row(files=f, kind="photo", title__fr="Le quai de Smyrne, septembre 1922",
        title__en="The Smyrna waterfront, September 1922", title__tr="İzmir rıhtımı, Eylül 1922",
        description__en="Crowds on the quay, ships offshore and smoke from the fire behind.",
        date="1922-09", lang="fr;en", creator="French naval officer (unnamed)", collection=C_DEPORT,
        source_archive="Service historique de la Défense (Vincennes)", source_country="FR",
        reference="SHD MV SS Y 412", acquired="2015", rights=NKC, places=["Smyrna", "Izmir"],
        subjects=["fire", "refugees", "emigration"])

    f = save_jpeg(photo("marasch-waisenhaus", "orphans"), "photos/marasch-waisenhaus.jpg")
    row(files=f, kind="photo", title__de="Deutsches Waisenhaus in Marasch", title__en="German orphanage at Marash",
        description__en="Children and two sisters in front of the orphanage building.",
        date="1920", lang="de", creator="Deutscher Hilfsbund für christliches Liebeswerk im Orient",
        collection=C_DEPORT, source_archive="Archiv des Hilfsbundes (Bad Homburg)", source_country="DE",
        reference="HB Foto 3/17", acquired="2014", rights=NKC, places=["Marash"], subjects=["orphanage"])

    f = save_jpeg(photo("khachaturian-students", "group", tone="grey"), "photos/khachaturian-yerevan-1963.jpg")
    row(files=f, kind="photo", title__en="Aram Khachaturian with students in Yerevan",
        description__en="Composer with a group of conservatory students (fictional image for testing).",
        date="1963", lang="en", creator="unknown", collection=C_MUSIC, source_archive="Family collection",
        source_country="AM", donor="Avetisyan family", acquired="2022", rights=INC,
        persons=["Aram Khachaturian"], places=["Yerevan"], subjects=["music", "education"])

    f = save_jpeg(photo("trabzon-port", "harbour"), "photos/trabzon-harbour.jpg")
    row(files=f, kind="photo", title__tr="Trabzon limanı", title__en="The harbour of Trebizond",
        description__en="Steamers anchored off the town; Trebizond (Trabzon) from the west.",
        date="1925", lang="tr;en", collection=C_FAMILY, source_archive="Family collection", source_country="TR",
        donor="Demirciyan family", acquired="2022-01-20", rights=CC0, places=["Trebizond", "Trabzon"],
        subjects=["port", "townscape"])

    f = save_jpeg(photo("family-portrait", "portrait"), "photos/family-portrait.jpg")
    row(files=f, kind="photo", title__en="Studio portrait of an unidentified family",
        description__en="Four people, no studio stamp, no inscription on the back.",
        date="19XX", lang="en", collection=C_FAMILY, source_archive="Family collection", source_country="FR",
        donor="anonymous", acquired="2023", rights="Copyright status unknown; please contact the archive.",
        subjects=["portrait", "family"])

    f = save_jpeg(photo("yesayan-teachers", "group"), "photos/yesayan-teachers.jpg")
    row(files=f, kind="photo", title__en="Zabel Yesayan with teachers in Constantinople",
        description__en="Group of six women in front of a school; the writer is said to be second from the left.",
        date="191X", lang="en", collection=C_MUSIC, source_archive="Family collection", source_country="US",
        donor="Kazanjian family", acquired="2021", rights=NKC, persons=["Zabel Yesayan"],
        places=["Constantinople"], subjects=["literature", "education"])

    # --- memoirs ------------------------------------------------------------------------------------
    # M1: Armenian, two handwritten PNG pages
    p1 = ("1918 թ. փետրվարին մենք լքեցինք Էրզրումը։ Ռուսական զորքերը արդեն գնացել էին, և քաղաքում մնացել "
          "էին միայն հայ կամավորները։ Մայրս վերցրեց երկու վերմակ, մի պարկ ալյուր և հորս ժամացույցը։ Ճանապարհը "
          "ձյունով էր ծածկված։ Ես ինը տարեկան էի։\n\nԷրզրումից մինչև Սարիղամիշ քայլեցինք վեց օր։ Գիշերները "
          "կանգ էինք առնում ավերված գյուղերում։")
    p2 = ("Մի գիշեր եղբայրս հարցրեց. «Մայրի՛կ, ե՞րբ ենք տուն վերադառնալու»։ Մայրս չպատասխանեց։ Ապրիլին "
          "հասանք Երևան։ Քաղաքը լի էր գաղթականներով, սով էր և համաճարակ։ Ա՜խ, որքա՜ն մարդ մեռավ այդ "
          "ձմռանը։ Մենք ապրեցինք, որովհետև մայրս երբեք չհանձնվեց։\n\nԳրված է Երևանում, 1965 թվականին։")
    tr_en = ("In February 1918 we left Erzurum. The Russian troops had already gone, and only the Armenian "
             "volunteers were left in the town. My mother took two blankets, a sack of flour and my father's "
             "watch. The road was covered in snow. I was nine years old.\n\nFrom Erzurum to Sarikamish we walked "
             "for six days. At night we stopped in ruined villages.\n\nOne night my brother asked: 'Mother, when "
             "are we going home?' My mother did not answer. In April we reached Yerevan. The city was full of "
             "refugees; there was famine and epidemic. Oh, how many people died that winter! We survived, because "
             "my mother never gave up.\n\nWritten in Yerevan, 1965.")
    fa = save_png(scan_page("m1-p1", p1, style="hand", grain=False), "scans/memoir-erzurum-yerevan-1.png", colors=32)
    fb = save_png(scan_page("m1-p2", p2, style="hand", grain=False), "scans/memoir-erzurum-yerevan-2.png", colors=32)
    row(files=[fa, fb], kind="memoir", title__hy="Էրզրումից մինչև Երևան",
        title__en="From the fortress town to Yerevan: a memoir of 1918",
        description__en="Two handwritten pages written in 1965 about the flight of February–April 1918.",
        date="1918/..", lang="hy", creator="Անահիտ Գրիգորյան", collection=C_CAUC,
        source_archive="Family collection", source_country="AM", donor="Grigoryan family", acquired="2019-03-12",
        custody="Written in Yerevan in 1965; kept by the author's daughter until 2019.", rights=CC0,
        places=["Erzurum", "Sarikamish", "Yerevan"], subjects=["emigration", "refugees", "memoir"],
        transcript=write_text("texts/memoir-erzurum-yerevan-hy.txt", p1 + "\n\n" + p2),
        translation__en=write_text("texts/memoir-erzurum-yerevan-en.txt", tr_en),
        meta__box="Box 2", meta__folder="7")

    # M2: Armenian, multi-page TIFF; transcript UTF-16 LE with BOM
    pages = [
        "Ես ծնվել եմ Խարբերդ քաղաքում, 1905 թվականին։ Մեր տունը բլրի վրա էր, բերդի մոտ։ Ամռանը հայրս մեզ "
        "տանում էր այգիները, որտեղ ծիրան ու թութ էինք հավաքում։ Երեկոյան դաշտից լսվում էին գութանի երգերը։",
        "Դպրոցում սովորում էինք հայերեն, թուրքերեն ու ֆրանսերեն։ Ուսուցիչս՝ պարոն Մանուկյանը, ասում էր. "
        "«Գրե՛ք, տղաներ, գրելը հիշելն է»։ Ես այդ խոսքերը մինչև հիմա չեմ մոռացել։",
        "1915-ի ամռանը ամեն ինչ փոխվեց։ Հորս տարան, և այլևս չտեսանք նրան։ Ես ու քույրս հասանք Հալեպ, "
        "հետո՝ Բեյրութ։ Ո՞վ կհիշի մեր տունը, եթե ես չգրեմ։ Այս տողերը գրում եմ Բեյրութում, 1923 թվականին։",
    ]
    tr_en = ("I was born in the town on the hill, in 1905. Our house stood on the slope near the castle. In summer "
             "my father took us to the orchards, where we picked apricots and mulberries. In the evening the "
             "ploughing songs came up from the plain.\n\nAt school we learned Armenian, Turkish and French. My "
             "teacher, Mr Manukian, used to say: 'Write, boys, writing is remembering.' I have not forgotten those "
             "words.\n\nIn the summer of 1915 everything changed. They took my father, and we never saw him again. "
             "My sister and I reached Aleppo, then Beirut. Who will remember our house if I do not write? I write "
             "these lines in Beirut, in 1923.")
    imgs = [scan_page("m2-p%d" % i, p, style="hand", grain=False, size=(700, 900)).convert("L")
            for i, p in enumerate(pages, 1)]
    imgs[0].save(path("scans/memoir-kharpert-3pages.tif"), save_all=True, append_images=imgs[1:],
                 compression="tiff_adobe_deflate")
    row(files="scans/memoir-kharpert-3pages.tif", kind="memoir", title__hy="Հուշեր Խարբերդ քաղաքի մասին",
        title__en="Childhood memoir of a town in the Armenian Highlands",
        description__en="Three-page handwritten memoir in one multi-page TIFF; the transcript is UTF-16 with a "
                        "byte-order mark.",
        date="../1923", lang="hy", creator="Գարեգին Սարգսյան", collection=C_FAMILY,
        source_archive="Family collection", source_country="LB", donor="Sarkissian family", acquired="2020-08",
        rights=CC0, places=["Kharpert", "Aleppo", "Beirut"], subjects=["childhood", "memoir", "deportation"],
        transcript=write_text("texts/memoir-kharpert-hy-utf16.txt", "\n\n".join(pages), "utf-16-le-bom"),
        translation__en=write_text("texts/memoir-kharpert-en.txt", tr_en), meta__box="Box 4")

    # M3: Turkish, JPEG; transcript UTF-8 with BOM
    t = ("Bakü'de geçen gençlik yıllarım\n\n1912 yılında, on altı yaşındayken amcamın yanında çalışmak için "
         "Bakü'de bir yazıhaneye girdim. Trabzon'dan vapurla Batum'a, oradan trenle Tiflis üzerinden gittim. "
         "Şehir petrol kokuyordu; kuyular gece gündüz çalışırdı. Balahanı'daki sondajlarda Ermeni, Azeri, Rus ve "
         "İranlı işçiler yan yana çalışırdı. 1918 sonbaharında şehir karıştı, biz de gemiyle kaçtık. Kardeşim "
         "Halep şehrine yerleşti, ben İstanbul'a döndüm.\n\nBu satırları 1962 yılında, Kumkapı'daki evimde "
         "yazıyorum.")
    tr_en = ("My youth in the oil town\n\nIn 1912, at sixteen, I went to work for my uncle in an office in the oil "
             "town on the Caspian. I went by steamer from Trabzon to Batum, then by train through Tiflis. The city "
             "smelled of oil; the wells worked day and night. At the drilling sites of Balakhany Armenian, Azeri, "
             "Russian and Persian workers worked side by side. In the autumn of 1918 the city fell into turmoil "
             "and we escaped by ship. My brother settled in Aleppo; I went back to Istanbul.\n\nI am writing these "
             "lines in 1962, in my house in Kumkapı.")
    f = save_jpeg(scan_page("m3", t), "scans/memoir-oil-town-tr.jpg")
    row(files=f, kind="memoir", title__tr="Bakü'de geçen gençlik yıllarım",
        title__en="My youth in the oil town: a memoir",
        description__en="Typed Turkish memoir of an Armenian clerk, 1912–1918; the transcript is UTF-8 with a "
                        "byte-order mark.",
        date="1962", lang="tr", creator="Hagop Kalfayan", collection=C_CAUC, source_archive="Family collection",
        source_country="TR", donor="Kalfayan family", acquired="2021-05-04", rights=CC0,
        places=["Baku", "Trabzon", "Tiflis", "Aleppo", "Istanbul"], subjects=["oil industry", "emigration", "memoir"],
        transcript=write_text("texts/memoir-oil-town-tr.txt", t, "utf-8-bom"),
        translation__en=write_text("texts/memoir-oil-town-en.txt", tr_en))

    # M4: English, text only
    t = ("Recollections of the road from Marash to Der Zor\n(as told by Mariam Boyajian to her granddaughter, "
         "Detroit, 1968)\n\nWe left Marash in the summer of 1915, my mother, my two brothers and I. I was eleven. "
         "We had a donkey at first, and a bag of dried apricots sewn into my mother's skirt. At Aintab the "
         "gendarmes changed, and the new ones were worse. After that I remember only walking, and the dust, and "
         "the river. In Aleppo a woman in a black dress gave us bread through a window and told my mother in "
         "Armenian to keep going south, not to stop. We did not understand until later what she meant. My "
         "younger brother died near Meskene. In the camp at Der Zor there was no shade at all. An Arab family "
         "took me in as a servant, and it was 1919 before an American relief worker found me and brought me to "
         "the orphanage in Aleppo. I came to America in 1921. I have never told all of it, and I will not tell "
         "all of it now.")
    f = write_text("texts/memoir-marash-der-zor-en.txt", t)
    row(files=f, kind="memoir", title__en="Recollections of the road from Marash to Der Zor",
        description__en="Memoir as a plain text file only, written down by a granddaughter in 1968.",
        date="1968", lang="en", creator="Mariam Boyajian", collection=C_DEPORT, source_archive="Family collection",
        source_country="US", donor="Boyajian family", acquired="2019-04-24", rights=CC0,
        persons=["Mariam Boyajian"], places=["Marash", "Aintab", "Aleppo", "Der Zor", "Detroit"],
        subjects=["deportation", "orphanage", "emigration", "memoir"])

    # M5: Russian, RESTRICTED
    t = ("Папка Melikian-private.\n\nЯ родилась в Тифлисе в 1899 году, в доме на Авлабаре. Отец торговал "
         "шёлком и каждую весну ездил в Константинополь. Он привозил нам платья, французские книги и рассказы о "
         "Босфоре. В 1915 году письма перестали приходить. Мать ещё долго ходила на почту каждый день. Только "
         "в 1919 году мы узнали, что наш дядя погиб по дороге в Алеппо. Я пишу это для внуков, чтобы они знали, "
         "откуда мы.\n\nМосква, 1947")
    tr_en = ("Folder Melikian-private.\n\nI was born in Tiflis in 1899, in a house in Avlabar. My father traded in "
             "silk and went to Constantinople every spring. He brought us dresses, French books and stories of the "
             "Bosphorus. In 1915 the letters stopped. Mother went on going to the post office every day for a long "
             "time. Only in 1919 did we learn that our uncle had died on the road to Aleppo. I am writing this for "
             "my grandchildren, so that they know where we come from.\n\nMoscow, 1947")
    f = save_jpeg(scan_page("m5", t, style="hand"), "scans/memoir-tiflis-ru.jpg")
    row(files=f, kind="memoir", title__ru="Воспоминания о Тифлисе", title__en="Memories of Tiflis",
        description__en="Restricted at the family's request (folder Melikian-private).",
        date="1947", lang="ru", creator="Нина Меликян", collection=C_FAMILY, source_archive="Family collection",
        source_country="RU", donor="Melikian family", acquired="2023-09-01", rights=INC, access="restricted",
        persons=["Нина Меликян"], places=["Tiflis", "Constantinople", "Aleppo"], subjects=["family", "memoir"],
        transcript=write_text("texts/memoir-tiflis-ru.txt", t),
        translation__en=write_text("texts/memoir-tiflis-en.txt", tr_en), meta__box="Box 12", meta__folder="3")

    # M6: German nurse, PNG
    t = ("Erinnerungen an Aleppo, 1916–1918\n\nIm Herbst 1916 kam ich als Krankenschwester nach Aleppo. In der "
         "Stadt sah man überall Frauen und Kinder, die aus Der Zor und den Lagern am Euphrat zurückgekehrt waren. "
         "Wir richteten in einem alten Khan ein kleines Spital ein. Morgens kochten wir Suppe in großen Kesseln, "
         "nachmittags wuschen wir die Kinder und verbanden Wunden. Viele sprachen nur Armenisch oder Türkisch; "
         "die ersten Worte lernte ich von einem Mädchen aus Aintab.\n\nGeschrieben in Stuttgart, im Winter 1921.")
    tr_en = ("Memories of Aleppo, 1916–1918\n\nIn the autumn of 1916 I came to Aleppo as a nurse. Everywhere in the "
             "city one saw women and children who had come back from Der Zor and the camps on the Euphrates. We "
             "set up a small hospital in an old khan. In the mornings we cooked soup in large cauldrons; in the "
             "afternoons we washed the children and dressed wounds. Many spoke only Armenian or Turkish; I learned "
             "my first words from a girl from Aintab.\n\nWritten in Stuttgart, in the winter of 1921.")
    f = save_png(scan_page("m6", t, style="hand", grain=False, tone=(240, 236, 222)), "scans/erinnerungen-aleppo.png",
                 colors=32)
    row(files=f, kind="memoir", title__de="Erinnerungen an Aleppo, 1916–1918",
        title__en="A nurse's memories of Aleppo, 1916–1918",
        date="1921", lang="de", creator="Schwester Martha K.", collection=C_DEPORT,
        source_archive="Archiv des Hilfsbundes (Bad Homburg)", source_country="DE", reference="HB 12/3",
        acquired="2014", rights=NKC, places=["Aleppo", "Der Zor", "Aintab"], subjects=["relief", "memoir"],
        transcript=write_text("texts/erinnerungen-aleppo-de.txt", t),
        translation__en=write_text("texts/erinnerungen-aleppo-en.txt", tr_en))

    # M7: English oral history, EMBARGOED
    t = ("Oral history interview, tape 3, side A.\nRestriction code Sarafian-embargo: not to be opened before "
         "1 January 2031.\n\nQ: Where were you born?\nA: In Smyrna, in the Armenian quarter near the church of "
         "St. Stephen, in 1910. We called it Smyrna; my grandchildren say Izmir.\nQ: What do you remember of "
         "September 1922?\nA: The fire. My father took us down to the quay. We stood there two days with the "
         "fire behind us and the ships in front. A sailor from an Italian boat lifted me over the side. I did "
         "not see my father again until 1924, in Marseille.\nQ: Do you still have anything from that house?\n"
         "A: One spoon. My mother carried it in her pocket the whole time.")
    f = save_jpeg(scan_page("m7", t, tone=(245, 245, 240)), "scans/oral-history-smyrna-1994.jpg")
    row(files=f, kind="memoir", title__en="Oral history interview: a childhood in Smyrna",
        description__en="Typed transcript page of a recorded interview. Embargoed until 2031 (code "
                        "Sarafian-embargo).",
        date="1994-03-17", lang="en", creator="Sarafian oral history project", collection=C_FAMILY,
        source_archive="Armenian Library and Museum of America", source_country="US", reference="OH 94-031",
        donor="Sarafian family", acquired="1994", rights=INC, access="embargoed:2031-01-01",
        places=["Smyrna", "Marseille"], subjects=["fire", "emigration", "oral history", "memoir"],
        transcript=write_text("texts/oral-history-smyrna-en.txt", t))

    # --- manifest -------------------------------------------------------------------------------------
    with open(os.path.join(OUT, "manifest.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in ROWS:
            w.writerow([r.get(c, "") for c in COLUMNS])
    print("wrote %d items to %s" % (len(ROWS), OUT))


if __name__ == "__main__":
    main()
