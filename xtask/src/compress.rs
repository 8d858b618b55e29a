//! The `.br` and `.gz` files beside each asset, which the server sends instead of the asset to
//! a browser that accepts them: compressed once, at build time, at the strongest levels (too
//! slow to do per request).

use crate::Error;
use std::fs;
use std::io::Write;
use std::path::Path;

/// Writes `F.br` and `F.gz` beside every file `F` below `dir`.
pub fn precompress_dir(dir: &Path) -> Result<(), Error> {
    for file in crate::site::files_in(dir)? {
        let bytes = fs::read(&file).map_err(Error::io(&file))?;
        let with = |ext: &str| {
            let mut name = file.clone().into_os_string();
            name.push(ext);
            name
        };
        let br = with(".br");
        fs::write(&br, brotli(&bytes)).map_err(Error::io(Path::new(&br)))?;
        let gz = with(".gz");
        fs::write(&gz, gzip(&bytes).map_err(Error::io(&file))?)
            .map_err(Error::io(Path::new(&gz)))?;
    }
    Ok(())
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    // Writing into a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn each_file_gets_a_brotli_and_a_gzip_copy_that_decode_to_it() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let text = "const a = 1;\n".repeat(1000);
        fs::create_dir(dir.join("sub")).unwrap();
        fs::write(dir.join("sub/app.js"), &text).unwrap();
        precompress_dir(dir).unwrap();

        let br = fs::read(dir.join("sub/app.js.br")).unwrap();
        assert!(br.len() < text.len() / 10, "brotli shrinks repetitive text");
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
        assert_eq!(decoded, text.as_bytes());

        let gz = fs::read(dir.join("sub/app.js.gz")).unwrap();
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, text);
    }
}
