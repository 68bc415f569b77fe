//! Helpers of the media tests: multipart bodies, raw requests, small real files, and Hearth's
//! signed upload URLs forged with the server's secret (as someone holding the database could).

use hmac::{Hmac, Mac};
use reqwest::Method;
use sha2::{Digest, Sha256};

use crate::support::{Response, TestApp, read};

/// The smallest real PNG: one transparent pixel.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// A `multipart/form-data` body with one part `file` and its content type header value.
pub fn multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "hearth-test-boundary-7d3f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// `POST /v1/media` with the file as its multipart part.
    pub async fn upload(&self, token: &str, file_name: &str, bytes: &[u8]) -> Response {
        let (content_type, body) = multipart(file_name, bytes);
        let request = self
            .client
            .post(self.url("/v1/media"))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body);
        read(request.send().await.expect("upload sent")).await
    }

    /// Begins a presigned upload; its media id and upload URL.
    pub async fn begin_upload(
        &self,
        token: &str,
        file_name: &str,
        size: usize,
    ) -> (String, String) {
        let begun = self
            .post(
                "/v1/media/uploads",
                token,
                serde_json::json!({"file_name": file_name, "size": size}),
            )
            .await
            .expect(201);
        let id = begun.data()["media"]["id"].as_str().unwrap().to_owned();
        let url = begun.data()["upload_url"].as_str().unwrap().to_owned();
        (id, url)
    }

    /// A request with a raw body and extra headers; the answer with its raw bytes.
    pub async fn raw(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            self.url(url)
        };
        let mut request = self.client.request(method, url).body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body").to_vec();
        (status, headers, bytes)
    }

    /// `GET /v1/media/{id}/content` with extra headers.
    pub async fn download(
        &self,
        token: &str,
        id: &str,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let path = format!("/v1/media/{id}/content");
        self.raw(Method::GET, &path, Some(token), headers, Vec::new())
            .await
    }
}

/// A signed upload path for `media` until `expires`, signed with the server's `secret` as the
/// server signs them.
pub fn signed_upload_path(secret: &[u8], media: &str, expires: i64) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"hearth media transfer urls v1\0");
    hasher.update(secret);
    let key: [u8; 32] = hasher.finalize().into();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("PUT\n{media}\n{expires}").as_bytes());
    let signature: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("/v1/media/{media}/upload?expires={expires}&signature={signature}")
}

/// Every file under `dir`, recursively (the partial-uploads folder included).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// A `width` × `height` JPEG photo, red on its left half and blue on its right, whose EXIF
/// block says "rotate 90° clockwise" (so it is `height` × `width`, red on top, once upright).
pub fn photo(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([255, 0, 0])
        } else {
            image::Rgb([0, 0, 255])
        }
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    let mut jpeg = jpeg.into_inner();
    let exif: &[u8] = &[
        0xFF, 0xE1, 0x00, 0x22, b'E', b'x', b'i', b'f', 0, 0, b'M', b'M', 0x00, 0x2A, 0x00, 0x00,
        0x00, 0x08, 0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    jpeg.splice(2..2, exif.iter().copied());
    jpeg
}

/// A 300 × 200 PNG, half transparent.
pub fn transparent_png() -> Vec<u8> {
    let picture = image::RgbaImage::from_fn(300, 200, |x, _| {
        image::Rgba([0, 128, 0, if x < 150 { 0 } else { 255 }])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut png, image::ImageFormat::Png).unwrap();
    png.into_inner()
}
