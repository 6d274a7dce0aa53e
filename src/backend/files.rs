//! Local files that backends send to the cluster.

use super::Error;
use crate::tr;

/// A file for a secret or config, base64 as the API wants it; swarm keeps at most 500 KB.
pub fn read_object_file(file: &str) -> Result<String, Error> {
    use base64::Engine as _;
    let bytes = std::fs::read(file)
        .map_err(|e| Error::Refused(tr!("err.read_file", file = file, detail = e)))?;
    if bytes.len() > 500 * 1024 {
        return Err(Error::Refused(tr!("err.object_size", file = file)));
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}
