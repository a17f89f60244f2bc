//! An uploaded bundle: one file, either an `.xlsx` workbook or a `.zip` of the CSV files,
//! unpacked where an import can read it, within limits checked on the bytes themselves
//! (not only on what the zip directory declares).

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use chainatlas_model::{text, Text};

use crate::ImportError;

/// The most an uploaded `.zip` of CSV files may unpack to.
pub const MAX_UNPACKED_BYTES: u64 = 4 << 30;

/// Files in an uploaded `.zip`.
pub const MAX_ZIP_ENTRIES: usize = 64;

/// Makes the upload at `file` readable by [`crate::import`]: a workbook is renamed to end
/// in `.xlsx`; a zip of CSV files is unpacked into a folder under `dir`. Returns the path
/// to import.
pub fn unpack(file: &Path, dir: &Path) -> Result<PathBuf, ImportError> {
    let refuse = |message: Text| ImportError::Workbook {
        path: file.to_path_buf(),
        message,
    };
    let io = |source| ImportError::Io {
        path: file.to_path_buf(),
        source,
    };
    let mut zip =
        zip::ZipArchive::new(BufReader::new(File::open(file).map_err(io)?)).map_err(|_| {
            refuse(text!(
                "既不是 .xlsx 工作簿，也不是 CSV 文件的 .zip 压缩包",
                "is neither an .xlsx workbook nor a .zip of CSV files"
            ))
        })?;
    if zip.index_for_name("xl/workbook.xml").is_some() {
        let workbook = dir.join("upload.xlsx");
        std::fs::rename(file, &workbook).map_err(io)?;
        return Ok(workbook);
    }
    if zip.len() > MAX_ZIP_ENTRIES {
        let (n, max) = (zip.len(), MAX_ZIP_ENTRIES);
        return Err(refuse(text!(
            "压缩包中有 {n} 个文件，最多 {max} 个",
            "the zip holds {n} files, at most {max} are allowed"
        )));
    }
    let folder = dir.join("bundle");
    std::fs::create_dir_all(&folder).map_err(io)?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| {
            refuse(text!(
                "第 {i} 个文件无法读取：{e}",
                "file {i} cannot be read: {e}"
            ))
        })?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let base = name.rsplit('/').next().unwrap_or_default().to_string();
        if entry.is_dir() || name.starts_with("__MACOSX") || base.starts_with('.') {
            continue;
        }
        if !base.ends_with(".csv") {
            return Err(refuse(text!(
                "压缩包中的“{name}”不是 .csv 文件：数据包只含 CSV 文件",
                "'{name}' in the zip is not a .csv file: a bundle holds CSV files only"
            )));
        }
        let target = folder.join(&base);
        if target.exists() {
            return Err(refuse(text!(
                "压缩包中有两个“{base}”",
                "the zip holds '{base}' twice"
            )));
        }
        let mut out = File::create(&target).map_err(io)?;
        let allowed = MAX_UNPACKED_BYTES - total;
        let copied = std::io::copy(&mut (&mut entry).take(allowed + 1), &mut out).map_err(io)?;
        out.flush().map_err(io)?;
        total += copied;
        if total > MAX_UNPACKED_BYTES {
            let max = MAX_UNPACKED_BYTES >> 20;
            return Err(refuse(text!(
                "解压后超过 {max} MiB 上限：请分批导入",
                "it unpacks to more than the {max} MiB allowed: import it in parts"
            )));
        }
    }
    Ok(folder)
}

/// Packs the CSV files of the bundle folder `folder` into the `.zip` at `out`, in name
/// order (what `unpack` reads back).
pub fn zip_folder(folder: &Path, out: &Path) -> std::io::Result<()> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(folder)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    names.retain(|p| p.extension().is_some_and(|e| e == "csv"));
    names.sort();
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(File::create(out)?));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for path in names {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        std::io::copy(&mut File::open(&path)?, &mut zip)?;
    }
    zip.finish().map_err(std::io::Error::other)?.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(path: &Path, files: &[(&str, &[u8])]) {
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        for (name, bytes) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }

    #[test]
    fn a_zip_of_csv_files_unpacks_to_a_folder_and_other_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let upload = dir.path().join("upload");
        zip_of(
            &upload,
            &[
                ("atlas/chains.csv", b"id,code,name_zh\n"),
                ("__MACOSX/._chains.csv", b"junk"),
            ],
        );
        let folder = unpack(&upload, dir.path()).unwrap();
        assert!(folder.join("chains.csv").exists());
        assert!(!folder.join("._chains.csv").exists());

        let dir = tempfile::tempdir().unwrap();
        let upload = dir.path().join("upload");
        zip_of(&upload, &[("chains.exe", b"MZ")]);
        let refused = unpack(&upload, dir.path()).unwrap_err();
        assert!(refused
            .to_string()
            .contains("'chains.exe' in the zip is not a .csv file"));

        std::fs::write(&upload, "id,code\n").unwrap();
        let refused = unpack(&upload, dir.path()).unwrap_err();
        assert!(refused
            .to_string()
            .contains("neither an .xlsx workbook nor a .zip"));
    }
}
