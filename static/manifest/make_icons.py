"""Draws the site's icons (icon-192.png, icon-512.png, favicon.ico): run `python static/manifest/make_icons.py`.

A white house with a door on the brand blue, inside the safe zone of a maskable icon (the middle
80%), so launchers may crop it to a circle or a rounded square.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (11, 83, 148)
HERE = Path(__file__).resolve().parent


def draw(size: int) -> Image.Image:
    scale = 4  # draw large, then shrink: smooth edges without antialiasing support in ImageDraw
    s = size * scale
    image = Image.new("RGB", (s, s), BRAND)
    pen = ImageDraw.Draw(image)
    u = s / 100
    pen.polygon([(50 * u, 22 * u), (78 * u, 46 * u), (22 * u, 46 * u)], fill="white")
    pen.rectangle([28 * u, 45 * u, 72 * u, 76 * u], fill="white")
    pen.rectangle([44 * u, 56 * u, 56 * u, 76 * u], fill=BRAND)
    pen.ellipse([52.5 * u, 65 * u, 54.5 * u, 67 * u], fill="white")
    return image.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    for size in (192, 512):
        draw(size).save(HERE / f"icon-{size}.png", optimize=True)
    # Browsers ask every site for /favicon.ico; core.views.favicon serves this one there.
    draw(48).save(HERE / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
