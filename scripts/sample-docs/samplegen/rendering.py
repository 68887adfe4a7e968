"""Turns display-list pages into files: text-layer PDFs, scanned-looking image-only PDFs, photos, TIFFs.

Every output is byte-identical across runs: ReportLab runs in invariant mode (fixed dates and ids), all
noise comes from a seeded numpy generator, and the pinned Pillow/PDFium builds encode deterministically.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab import rl_config

rl_config.useA85 = 0  # embed JPEG scans as raw DCT streams, not 25 % larger ASCII85 text
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from .drawing import CircleOp, LineOp, Page, RectOp, TextOp  # noqa: E402

CREATOR = "Quire sample-docs generator"


@dataclasses.dataclass(frozen=True)
class PdfInfo:
    title: str
    author: str
    subject: str


def _new_canvas(buffer: io.BytesIO, info: PdfInfo) -> Canvas:
    canvas = Canvas(buffer, invariant=1, pageCompression=1)
    canvas.setTitle(info.title)
    canvas.setAuthor(info.author)
    canvas.setSubject(info.subject)
    canvas.setCreator(CREATOR)
    return canvas


def _draw_page(canvas: Canvas, page: Page) -> None:
    """Replay a page's operations. A page with rotate=90 gets a portrait MediaBox and /Rotate 90, and its
    content is drawn turned a quarter counter-clockwise so that it reads upright once a viewer applies /Rotate."""
    if page.rotate == 90:
        # ReportLab takes the displayed size and swaps the MediaBox itself for /Rotate 90
        canvas.setPageSize((page.width, page.height))
        canvas.setPageRotation(90)
        canvas.translate(page.height, 0)
        canvas.rotate(90)
    elif page.rotate == 0:
        canvas.setPageSize((page.width, page.height))
        canvas.setPageRotation(0)
    else:
        raise ValueError(f"unsupported /Rotate {page.rotate}")
    height = page.height
    for op in page.ops:
        if isinstance(op, TextOp):
            canvas.setFillColorRGB(*op.color)
            canvas.setFont(op.font, op.size)
            if op.align == "right":
                canvas.drawRightString(op.x, height - op.y, op.text)
            elif op.align == "center":
                canvas.drawCentredString(op.x, height - op.y, op.text)
            else:
                canvas.drawString(op.x, height - op.y, op.text)
        elif isinstance(op, LineOp):
            canvas.setStrokeColorRGB(*op.color)
            canvas.setLineWidth(op.width)
            canvas.line(op.x1, height - op.y1, op.x2, height - op.y2)
        elif isinstance(op, RectOp):
            if op.fill:
                canvas.setFillColorRGB(*op.fill)
            if op.stroke:
                canvas.setStrokeColorRGB(*op.stroke)
                canvas.setLineWidth(op.line_width)
            canvas.rect(
                op.x,
                height - op.y - op.height,
                op.width,
                op.height,
                stroke=1 if op.stroke else 0,
                fill=1 if op.fill else 0,
            )
        elif isinstance(op, CircleOp):
            canvas.setFillColorRGB(*op.fill)
            canvas.circle(op.x, height - op.y, op.radius, stroke=0, fill=1)
    canvas.showPage()


@dataclasses.dataclass(frozen=True)
class ImagePage:
    """A page that is one full-page image (a scan), given as JPEG bytes, placed on a page of this size."""

    width: float
    height: float
    jpeg: bytes


def build_pdf(pages: list[Page | ImagePage], info: PdfInfo) -> bytes:
    """A PDF whose pages are vector (text layer) or image-only, in order."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, info)
    for page in pages:
        if isinstance(page, ImagePage):
            canvas.setPageSize((page.width, page.height))
            canvas.setPageRotation(0)
            canvas.drawImage(ImageReader(io.BytesIO(page.jpeg)), 0, 0, page.width, page.height)
            canvas.showPage()
        else:
            _draw_page(canvas, page)
    canvas.save()
    return buffer.getvalue()


def rasterize(pages: list[Page], dpi: int, grayscale: bool = True) -> list[Image.Image]:
    """Render pages with PDFium, as a printer-perfect original for a scan or photo."""
    pdf_bytes = build_pdf(list(pages), PdfInfo("", "", ""))
    document = pdfium.PdfDocument(pdf_bytes)
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72, grayscale=grayscale)
            image = bitmap.to_pil()
            images.append(image.convert("L") if grayscale else image.convert("RGB"))
            page.close()
    finally:
        document.close()
    return images


@dataclasses.dataclass(frozen=True)
class ScanLook:
    """How a flatbed scan degrades a page: paper tone, skew, blur, sensor noise."""

    angle: float  # degrees, counter-clockwise; add 180 for an upside-down scan
    noise_sigma: float = 4.5
    blur_radius: float = 0.55
    paper_level: int = 236
    ink_level: int = 28


def scan(original: Image.Image, look: ScanLook, rng: np.random.Generator) -> Image.Image:
    """A grayscale scan of a rendered page: paper tone, uneven light, rotation, optics blur, noise."""
    pixels = np.asarray(original, dtype=np.float32) / 255.0
    toned = look.ink_level + pixels * (look.paper_level - look.ink_level)
    height, width = toned.shape
    gradient = (
        np.linspace(-5.0, 4.0, width, dtype=np.float32)[None, :]
        + np.linspace(3.0, -3.0, height, dtype=np.float32)[:, None]
    )
    toned = np.clip(toned + gradient * pixels, 0, 255)
    image = Image.fromarray(toned.astype(np.uint8), "L")
    image = image.rotate(look.angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=look.paper_level)
    image = image.filter(ImageFilter.GaussianBlur(look.blur_radius))
    noisy = np.asarray(image, dtype=np.float32) + rng.normal(0.0, look.noise_sigma, (height, width))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "L")


def jpeg(image: Image.Image, dpi: int, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def png(image: Image.Image, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def bilevel_tiff(
    images: list[Image.Image], dpi: int, rng: np.random.Generator, threshold: int = 150, n_specks: int = 160
) -> bytes:
    """A multi-page CCITT Group 4 TIFF of thresholded grayscale scans (as a fax or a document scanner's
    black-and-white mode produces), with a sprinkle of dust specks."""
    pages = []
    for image in images:
        pixels = np.asarray(image) > threshold
        height, width = pixels.shape
        for y, x, size in zip(
            rng.integers(0, height - 3, n_specks), rng.integers(0, width - 3, n_specks), rng.integers(1, 4, n_specks)
        ):
            pixels[y : y + size, x : x + size] = False
        pages.append(Image.fromarray(pixels))
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", compression="group4", dpi=(dpi, dpi), save_all=True, append_images=pages[1:])
    return buffer.getvalue()


@dataclasses.dataclass(frozen=True)
class PhotoLook:
    """A phone photo of a receipt lying on an off-white table."""

    angle: float
    margin_px: int = 70
    desk_top: tuple[int, int, int] = (236, 233, 226)  # an off-white table top
    desk_bottom: tuple[int, int, int] = (224, 219, 210)
    paper: tuple[int, int, int] = (252, 250, 245)
    blur_radius: float = 0.8
    noise_sigma: float = 4.0
    grayscale: bool = False
    gray_step: int = 1  # >1 posterises (a phone's compressed output; keeps a PNG small)


def photo(original: Image.Image, look: PhotoLook, rng: np.random.Generator) -> Image.Image:
    """Place a rendered receipt on a desk background, skewed, with a soft shadow, blur, light falloff
    and sensor noise."""
    receipt = np.asarray(original.convert("L"), dtype=np.float32) / 255.0
    paper = np.array(look.paper, dtype=np.float32)[None, None, :]
    ink = np.array((40, 38, 45), dtype=np.float32)[None, None, :]
    receipt_rgb = ink + receipt[:, :, None] * (paper - ink)
    receipt_image = Image.fromarray(receipt_rgb.astype(np.uint8), "RGB")

    width = receipt_image.width + 2 * look.margin_px
    height = receipt_image.height + 2 * look.margin_px
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    desk = (
        np.array(look.desk_top, dtype=np.float32) * (1 - rows) + np.array(look.desk_bottom, dtype=np.float32) * rows
    ) * np.ones((1, width, 1), dtype=np.float32)
    background = Image.fromarray(desk.astype(np.uint8), "RGB")

    shadow = Image.new("L", (width, height), 0)
    shadow.paste(
        150,
        (
            look.margin_px + 6,
            look.margin_px + 8,
            look.margin_px + 6 + receipt_image.width,
            look.margin_px + 8 + receipt_image.height,
        ),
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(9)).rotate(look.angle, resample=Image.Resampling.BICUBIC)
    background.paste(Image.new("RGB", (width, height), (150, 144, 136)), (0, 0), shadow)

    mask = Image.new("L", (width, height), 0)
    mask.paste(
        255,
        (look.margin_px, look.margin_px, look.margin_px + receipt_image.width, look.margin_px + receipt_image.height),
    )
    placed = Image.new("RGB", (width, height), look.paper)
    placed.paste(receipt_image, (look.margin_px, look.margin_px))
    placed = placed.rotate(look.angle, resample=Image.Resampling.BICUBIC)
    mask = mask.rotate(look.angle, resample=Image.Resampling.BICUBIC)
    background.paste(placed, (0, 0), mask)

    image = background.filter(ImageFilter.GaussianBlur(look.blur_radius))
    pixels = np.asarray(image, dtype=np.float32)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    distance = np.sqrt(((xx - width * 0.45) / width) ** 2 + ((yy - height * 0.4) / height) ** 2)
    pixels = pixels * (1.0 - 0.22 * distance**2)[:, :, None]
    noise = rng.normal(0.0, look.noise_sigma, (height, width))[:, :, None]
    pixels = np.clip(pixels + noise, 0, 255).astype(np.uint8)
    result = Image.fromarray(pixels, "RGB")
    if not look.grayscale:
        return result
    gray_pixels = np.asarray(result.convert("L"), dtype=np.int32)
    if look.gray_step > 1:
        gray_pixels = np.clip(gray_pixels // look.gray_step * look.gray_step + look.gray_step // 2, 0, 255)
    return Image.fromarray(gray_pixels.astype(np.uint8), "L")
