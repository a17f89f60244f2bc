"""Writes a workbook of N new enterprises, as a clerk would fill the template's
enterprises sheet (no ids: the database assigns them), with valid GB 32100 credit codes.

    python bench/enterprise_workbook.py 100000 out.xlsx
"""
import sys

import xlsxwriter

CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
DISTRICTS = ["430102", "430103", "430104", "430105", "430111", "430112", "430121",
             "430181", "430202", "430203", "430204", "430211", "430281", "430302"]
SIZES = ["large", "medium", "small", "micro"]


def credit_code(n):
    base = "91430200MB" + format(n, "07d")
    total = sum(CHARS.index(c) * w for c, w in zip(base, WEIGHTS))
    return base + CHARS[(31 - total % 31) % 31]


def main():
    count, path = int(sys.argv[1]), sys.argv[2]
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("enterprises")
    header = ["credit_code", "name_zh", "name_en", "region_code", "size", "tags",
              "revenue", "employees", "source"]
    sheet.write_row(0, 0, header)
    for i in range(count):
        sheet.write_row(i + 1, 0, [
            credit_code(i),
            f"湘江第{i}号精密制造有限公司",
            f"Xiangjiang No. {i} Precision Manufacturing Co., Ltd.",
            DISTRICTS[i % len(DISTRICTS)],
            SIZES[i % 4],
            "specialized_new" if i % 7 == 0 else "",
            str(1_000_000 + (i * 7919) % 90_000_000),
            str(10 + i % 900),
            "bench",
        ])
    book.close()


if __name__ == "__main__":
    main()
