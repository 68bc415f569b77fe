//! Thumbnails: a 12-megapixel JPEG photo (the budget's size) uploaded directly; how long the upload's answer
//! takes (the thumbnails must not be made on it), and how long after that answer the file
//! lists its three thumbnails (the background worker's decode, three resizes and encodes).

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use image::{ImageEncoder, codecs::jpeg::JpegEncoder};

use crate::population;
use crate::stats::{Samples, ms};
use crate::{Row, ServerOptions, ServerProcess, Sizes};

/// How often the file is read while waiting for its thumbnails.
const POLL: Duration = Duration::from_millis(5);

/// A `width` × `height` JPEG (quality 90) of gradients with pixel noise, so that it
/// compresses and decodes like a photo rather than a flat test card (~4 MB at 12 megapixels).
fn photo(width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let mut seed: u32 = 0x2545_f491;
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (seed & 0x1f) as u8;
            pixels.push(((x * 255 / width) as u8).saturating_add(noise));
            pixels.push(((y * 255 / height) as u8).saturating_add(noise));
            pixels.push((((x + y) * 127 / (width + height)) as u8).saturating_add(noise));
        }
    }
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90).write_image(
        &pixels,
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(jpeg)
}

pub(crate) async fn run(server: &ServerOptions, sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let (width, height) = sizes.thumbnail_photo;
    let photo = photo(width, height)?;
    let process = ServerProcess::start(server)?;
    let anonymous = hearth_sdk::Client::new(&process.base)?;
    let user = population::users(&anonymous, "photographer", 1)
        .await?
        .pop()
        .context("a user")?;
    let http = reqwest::Client::new();
    let (mut answers, mut made) = (Vec::new(), Vec::new());
    for i in 0..sizes.thumbnail_photos.max(1) {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(photo.clone()).file_name(format!("photo-{i}.jpg")),
        );
        let sent = Instant::now();
        let media: serde_json::Value = http
            .post(format!("{}/v1/media", process.base))
            .bearer_auth(&user.access_token)
            .multipart(form)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let answered = Instant::now();
        answers.push(answered - sent);
        let id = media["data"]["id"]
            .as_str()
            .context("a media id")?
            .to_owned();
        loop {
            let now: serde_json::Value = http
                .get(format!("{}/v1/media/{id}", process.base))
                .bearer_auth(&user.access_token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let listed = now["data"]["thumbnails"].as_array().map_or(0, Vec::len);
            if listed > 0 {
                ensure!(listed == 3, "{listed} thumbnails instead of 3");
                made.push(answered.elapsed());
                break;
            }
            ensure!(
                answered.elapsed() < Duration::from_secs(30),
                "no thumbnails after 30 s"
            );
            tokio::time::sleep(POLL).await;
        }
    }
    process.stop()?;
    let (answers, made) = (Samples::new(answers), Samples::new(made));
    let setup = format!(
        "{} direct uploads of a {width}×{height} JPEG ({:.1} MB), one at a time",
        made.len(),
        photo.len() as f64 / 1e6
    );
    Ok(vec![
        Row::new(
            "thumbnails",
            "upload answered (median)",
            ms(answers.percentile(50.0)),
            "ms",
            &setup,
        ),
        Row::new(
            "thumbnails",
            "3 thumbnails listed after the answer (median)",
            ms(made.percentile(50.0)),
            "ms",
            &setup,
        )
        .at_most(500.0),
        Row::new(
            "thumbnails",
            "3 thumbnails listed after the answer (p95)",
            ms(made.percentile(95.0)),
            "ms",
            &setup,
        ),
    ])
}
