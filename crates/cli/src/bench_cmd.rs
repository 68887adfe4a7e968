//! `quire bench read DIR`: reading throughput, printed as figures (not a timed test). Text-layer pages/s,
//! and OCR pages/s of Quire's pipeline next to the `tesseract` command line on the same page images, run as
//! 1 and 2 parallel processes, in the same run.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use quire_document::PageSource;
use quire_reader::{Reader, ReaderConfig};

use crate::GlobalArgs;

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Reading throughput over the documents in DIR (recursively)
    Read(BenchReadArgs),
    /// Batch pipeline figures on generated invoices: documents/s, memory, database size, search, export
    Batch(crate::bench_batch_cmd::BenchBatchArgs),
    /// In-process extraction throughput (templates loaded once) over the given files
    Extract(crate::bench_extract_cmd::BenchExtractArgs),
    /// Hot-folder latency: a file's last write to its result in history
    Watch(crate::bench_watch_cmd::BenchWatchArgs),
}

#[derive(Debug, clap::Args)]
pub struct BenchReadArgs {
    /// Folder of documents (e.g. sample-docs)
    dir: PathBuf,
    /// Worker threads for the parallel figures (default: one per core)
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Minimum duration of each text-layer measurement, in seconds
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Skip the comparison with the tesseract command line
    #[arg(long)]
    no_tesseract_cli: bool,
}

pub fn run(global: &GlobalArgs, command: &BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Read(args) => bench_read(global, args),
        BenchCommand::Batch(args) => crate::bench_batch_cmd::run(global, args),
        BenchCommand::Extract(args) => crate::bench_extract_cmd::run(global, args),
        BenchCommand::Watch(args) => crate::bench_watch_cmd::run(global, args),
    }
}

fn bench_read(global: &GlobalArgs, args: &BenchReadArgs) -> anyhow::Result<ExitCode> {
    let mut config = global.reader_config();
    // Both sides read in the same language: `auto` would read German and French pages twice.
    if config.ocr_language == "auto" {
        config.ocr_language = "eng".into();
    }
    let n_workers = args
        .workers
        .unwrap_or_else(crate::read_cmd::default_workers);
    let files = quire_engine::collect_inputs(&quire_engine::Inputs {
        paths: vec![args.dir.clone()],
        ..Default::default()
    })?;
    anyhow::ensure!(
        !files.is_empty(),
        "no documents found in {}",
        args.dir.display()
    );

    // Sort files by what their pages need.
    let mut reader = Reader::new(config.clone());
    let mut text_files = Vec::new();
    let mut n_text_pages = 0usize;
    let mut ocr_files = Vec::new();
    for path in &files {
        match reader.read_path(path) {
            Ok(doc) if doc.pages.iter().all(|p| p.source == PageSource::TextLayer) => {
                n_text_pages += doc.pages.len();
                text_files.push(path.clone());
            }
            Ok(_) => ocr_files.push(path.clone()),
            Err(e) => eprintln!("skipping {e}"),
        }
    }
    println!(
        "quire {} reading benchmark over {}",
        env!("CARGO_PKG_VERSION"),
        args.dir.display()
    );
    println!(
        "machine: {} cores; OMP_THREAD_LIMIT={}",
        crate::read_cmd::default_workers(),
        std::env::var("OMP_THREAD_LIMIT").unwrap_or_else(|_| "unset".into())
    );
    println!();

    if !text_files.is_empty() {
        println!(
            "text layer: {} files, {} pages",
            text_files.len(),
            n_text_pages
        );
        for workers in dedup([1, n_workers]) {
            let (pages, elapsed) = repeat_for(&text_files, &config, workers, args.seconds);
            println!(
                "  quire, {workers} worker(s): {:>8.1} pages/s ({pages} pages in {:.2} s)",
                pages as f64 / elapsed.as_secs_f64(),
                elapsed.as_secs_f64()
            );
        }
        println!();
    }

    // OCR: write the page images OCR sees to PNG files, then read those files with Quire and with the
    // tesseract command line.
    let scratch = tempfile::tempdir()?;
    let mut images: Vec<PathBuf> = Vec::new();
    for path in &ocr_files {
        match reader.ocr_page_images(path) {
            Ok(pages) => {
                for page in pages {
                    let out =
                        scratch
                            .path()
                            .join(format!("img-{:03}-p{}.png", images.len(), page.page));
                    save_png_with_dpi(&page.image, page.dpi, &out)?;
                    images.push(out);
                }
            }
            Err(e) => eprintln!("skipping {e}"),
        }
    }
    if images.is_empty() {
        println!("OCR: no pages need OCR in {}", args.dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "OCR: {} page images from {} files",
        images.len(),
        ocr_files.len()
    );
    let mut figures = Vec::new();
    for workers in dedup([1, n_workers]) {
        let start = Instant::now();
        let mut n_pages = 0usize;
        quire_reader::read_all(&images, &config, workers, |_, result| {
            n_pages += result.map_or(0, |d| d.pages.len());
        });
        let rate = n_pages as f64 / start.elapsed().as_secs_f64();
        println!("  quire pipeline, {workers} worker(s):      {rate:>6.2} pages/s");
        figures.push((workers, rate));
    }
    if !args.no_tesseract_cli {
        let mut cli_rates = Vec::new();
        for processes in [1usize, 2] {
            match tesseract_cli(&images, processes, &config.ocr_language) {
                Ok(elapsed) => {
                    let rate = images.len() as f64 / elapsed.as_secs_f64();
                    println!("  tesseract CLI, {processes} process(es):    {rate:>6.2} pages/s");
                    cli_rates.push((processes, rate));
                }
                Err(e) => println!("  tesseract CLI unavailable: {e}"),
            }
        }
        if let (Some(&(_, ours)), Some(&(_, theirs))) =
            (figures.last(), cli_rates.iter().find(|(p, _)| *p == 2))
        {
            println!(
                "  ratio quire ({n_workers} workers) / tesseract CLI (2 processes): {:.2}x",
                ours / theirs
            );
        }
    }
    if let Some(peak) = peak_rss_mib() {
        println!();
        println!("peak RSS: {peak:.0} MiB");
    }
    Ok(ExitCode::SUCCESS)
}

fn dedup<const N: usize>(values: [usize; N]) -> Vec<usize> {
    let mut v: Vec<usize> = values.to_vec();
    v.dedup();
    v
}

/// Reads `files` over and over with `workers` threads until at least `seconds` have passed.
fn repeat_for(
    files: &[PathBuf],
    config: &ReaderConfig,
    workers: usize,
    seconds: f64,
) -> (usize, Duration) {
    let start = Instant::now();
    let mut n_pages = 0usize;
    // Batches of about 200 files keep every worker busy without building a huge list.
    let reps = (200 / files.len()).max(1);
    let batch: Vec<PathBuf> = files
        .iter()
        .cycle()
        .take(files.len() * reps)
        .cloned()
        .collect();
    while start.elapsed().as_secs_f64() < seconds {
        quire_reader::read_all(&batch, config, workers, |_, result| {
            n_pages += result.map_or(0, |d| d.pages.len());
        });
    }
    (n_pages, start.elapsed())
}

/// Runs `tesseract IMAGE stdout` over the images with `processes` in parallel (each with OMP_THREAD_LIMIT=1,
/// its fastest setting on a 2-core machine) and returns the wall time.
fn tesseract_cli(images: &[PathBuf], processes: usize, language: &str) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let chunks: Vec<&[PathBuf]> = images.chunks(images.len().div_ceil(processes)).collect();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || -> anyhow::Result<()> {
                    for image in chunk {
                        let status = Command::new("tesseract")
                            .arg(image)
                            .arg("stdout")
                            .args(["-l", language])
                            .env("OMP_THREAD_LIMIT", "1")
                            .stdout(Stdio::null())
                            .stderr(Stdio::null())
                            .status()?;
                        anyhow::ensure!(
                            status.success(),
                            "tesseract failed on {}",
                            image.display()
                        );
                    }
                    Ok(())
                })
            })
            .collect();
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("tesseract runner panicked"))??;
        }
        Ok(())
    })?;
    Ok(start.elapsed())
}

fn save_png_with_dpi(image: &image::DynamicImage, dpi: u32, path: &Path) -> anyhow::Result<()> {
    let color = match image {
        image::DynamicImage::ImageRgb8(_) => png::ColorType::Rgb,
        _ => png::ColorType::Grayscale,
    };
    let pixels = match image {
        image::DynamicImage::ImageRgb8(rgb) => rgb.as_raw().clone(),
        other => other.to_luma8().into_raw(),
    };
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, image.width(), image.height());
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    // The resolution goes in the pHYs chunk so that both readers (Quire and the tesseract CLI) see it.
    let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: per_metre,
        yppu: per_metre,
        unit: png::Unit::Meter,
    }));
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(())
}

/// Peak resident set size of this process (Linux), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
