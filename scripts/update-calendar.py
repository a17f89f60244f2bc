"""China's official calendar of public holidays and adjusted working days (调休), from the
MIT-licensed `chinese-calendar` package on PyPI (https://github.com/LKI/chinese-calendar,
which transcribes the State Council's yearly notices), as the CSV Chain Atlas embeds.

    python3 scripts/update-calendar.py [VERSION]   (default: the newest on PyPI)

Writes crates/model/data/china-calendar.csv: `date,kind,holiday`, kind `holiday` (a day
off) or `workday` (a weekend day worked in lieu), holiday the festival's English name as
the package writes it. Needs pip (it downloads the wheel; nothing is installed).
"""

import csv
import datetime
import glob
import importlib.util
import os
import subprocess
import sys
import tempfile
import zipfile

OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "model", "data", "china-calendar.csv")


def main(version=None):
    with tempfile.TemporaryDirectory() as tmp:
        spec = "chinese-calendar" + (f"=={version}" if version else "")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, spec],
                       check=True)
        wheel = glob.glob(os.path.join(tmp, "chinese_calendar-*.whl"))[0]
        zipfile.ZipFile(wheel).extractall(tmp)
        path = os.path.join(tmp, "chinese_calendar", "constants.py")
        loaded = importlib.util.spec_from_file_location("constants", path)
        constants = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(constants)
        rows = [(d, "holiday", name) for d, name in constants.holidays.items()]
        rows += [(d, "workday", name) for d, name in constants.workdays.items()]
        rows.sort()
        with open(OUT, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["date", "kind", "holiday"])
            for d, kind, name in rows:
                w.writerow([d.isoformat(), kind, name])
        years = sorted({d.year for d, _, _ in rows})
        print(f"{os.path.basename(wheel)}: {len(rows)} days, {years[0]}–{years[-1]} → {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
