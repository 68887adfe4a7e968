//! `quire-ocr`: Tesseract in a process of its own, started by Quire's readers when a page needs OCR (see
//! `quire_reader::ocr_engine` for why and for the protocol). It serves one parent over its stdin and stdout
//! and ends when the parent closes its input. It is the only Quire program linked with Tesseract and
//! Leptonica.

use std::ffi::{CStr, CString};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::raw::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;

use leptess::tesseract::TessApi;
use quire_reader::ocr_engine::{ImageShape, Request, Response, ENGINE_PROGRAM};
use quire_reader::process::{read_frame, write_frame};

fn main() -> ExitCode {
    if std::env::args_os().len() > 1 {
        eprintln!(
            "{ENGINE_PROGRAM} is Quire's OCR engine: Quire's readers start it and speak to it over its \
             stdin and stdout; it takes no arguments"
        );
        return ExitCode::FAILURE;
    }
    match serve(io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{ENGINE_PROGRAM}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Answers requests from `input` on `output` until `input` ends.
fn serve(input: impl Read, output: impl Write) -> io::Result<()> {
    let (mut input, mut output) = (BufReader::new(input), BufWriter::new(output));
    let mut engine = Engine::default();
    while let Some(frame) = read_frame(&mut input)? {
        let request: Request = postcard::from_bytes(&frame).map_err(io::Error::other)?;
        let pixels = match &request {
            Request::Recognize { .. } | Request::DetectOrientation { .. } => Some(
                read_frame(&mut input)?
                    .ok_or_else(|| io::Error::other("a request for an image came without it"))?,
            ),
            _ => None,
        };
        let response = catch_unwind(AssertUnwindSafe(|| {
            engine.answer(&request, pixels.as_deref())
        }))
        .unwrap_or_else(|_| {
            // Tesseract's state may be broken after a panic: start afresh for the next request.
            engine = Engine::default();
            Response::Failed("the OCR engine failed on this image (internal error)".into())
        });
        write_frame(
            &mut output,
            &postcard::to_allocvec(&response).map_err(io::Error::other)?,
        )?;
        output.flush()?;
    }
    Ok(())
}

/// At most this many recognising instances are kept: the first language's and the last other one's (the
/// `auto` language re-reads German or French pages; most batches are in one language).
const MAX_INSTANCES: usize = 2;

#[derive(Default)]
struct Engine {
    tessdata: Option<String>,
    /// Instances by language, the first loaded first.
    instances: Vec<(String, TessApi)>,
    orientation: Option<OrientationDetector>,
}

impl Engine {
    fn answer(&mut self, request: &Request, pixels: Option<&[u8]>) -> Response {
        let result = match request {
            Request::Version => Ok(Response::Version(tesseract_version())),
            Request::Load { tessdata, language } => {
                if tessdata.is_some() {
                    self.tessdata.clone_from(tessdata);
                }
                self.instance(language).map(|_| Response::Done)
            }
            Request::LoadOrientation { tessdata } => OrientationDetector::new(tessdata)
                .map(|detector| {
                    self.orientation = Some(detector);
                    Response::Done
                })
                .map_err(|()| {
                    format!("Tesseract's orientation model did not load from {tessdata}")
                }),
            Request::Recognize { language, image } => {
                let pixels = pixels.unwrap_or_default();
                check(image, pixels).and_then(|()| {
                    recognize(self.instance(language)?, image, pixels).map(Response::Tsv)
                })
            }
            Request::DetectOrientation { image } => {
                let pixels = pixels.unwrap_or_default();
                check(image, pixels).map(|()| {
                    Response::Rotation(
                        self.orientation
                            .as_mut()
                            .and_then(|detector| detector.clockwise_correction(image, pixels)),
                    )
                })
            }
        };
        result.unwrap_or_else(Response::Failed)
    }

    /// The instance for `language`, created on first use.
    fn instance(&mut self, language: &str) -> Result<&mut TessApi, String> {
        let index = match self.instances.iter().position(|(l, _)| l == language) {
            Some(index) => index,
            None => {
                let api = new_api(self.tessdata.as_deref(), language)?;
                if self.instances.len() >= MAX_INSTANCES {
                    self.instances.remove(MAX_INSTANCES - 1);
                }
                self.instances.push((language.to_string(), api));
                self.instances.len() - 1
            }
        };
        Ok(&mut self.instances[index].1)
    }
}

/// A Tesseract instance for `language`, segmenting pages automatically as the tesseract command does.
fn new_api(tessdata: Option<&str>, language: &str) -> Result<TessApi, String> {
    let mut api = TessApi::new(tessdata, language)
        .map_err(|_| format!("Tesseract could not start with language '{language}'"))?;
    api.raw
        .set_variable(c"tessedit_pageseg_mode", c"3")
        .map_err(|_| "Tesseract rejected a setting".to_string())?;
    Ok(api)
}

/// Whether the pixels fill the image they describe.
fn check(image: &ImageShape, pixels: &[u8]) -> Result<(), String> {
    let expected =
        u64::from(image.width) * u64::from(image.height) * u64::from(image.bytes_per_pixel);
    if image.width == 0
        || image.height == 0
        || !matches!(image.bytes_per_pixel, 1 | 3)
        || pixels.len() as u64 != expected
        || image.width > c_int::MAX as u32 / 3
        || image.height > c_int::MAX as u32
    {
        return Err(format!(
            "the page image is malformed ({}x{} pixels of {} bytes, {} bytes sent)",
            image.width,
            image.height,
            image.bytes_per_pixel,
            pixels.len()
        ));
    }
    Ok(())
}

/// Tesseract's TSV output for an image.
fn recognize(api: &mut TessApi, image: &ImageShape, pixels: &[u8]) -> Result<String, String> {
    let bytes_per_pixel = c_int::from(image.bytes_per_pixel);
    api.raw
        .set_image(
            pixels,
            image.width as c_int,
            image.height as c_int,
            bytes_per_pixel,
            image.width as c_int * bytes_per_pixel,
        )
        .map_err(|e| format!("Tesseract refused the image: {e:?}"))?;
    api.raw.set_source_resolution(image.dpi as c_int);
    let tsv = api
        .raw
        .get_tsv_text(0)
        .map_err(|_| "Tesseract failed to recognise the page".to_string())?;
    tsv.as_ref()
        .to_str()
        .map(str::to_owned)
        .map_err(|e| format!("Tesseract returned invalid text: {e}"))
}

fn tesseract_version() -> String {
    // SAFETY: TessVersion returns a pointer to a static NUL-terminated string.
    unsafe {
        let v = tesseract_sys::TessVersion();
        if v.is_null() {
            return "unknown".into();
        }
        CStr::from_ptr(v).to_string_lossy().into_owned()
    }
}

/// Tesseract's orientation and script detection (psm 0), on its own API instance with the `osd` model.
struct OrientationDetector {
    handle: *mut tesseract_sys::TessBaseAPI,
}

impl OrientationDetector {
    fn new(tessdata: &str) -> Result<OrientationDetector, ()> {
        let datapath = CString::new(tessdata).map_err(|_| ())?;
        // SAFETY: plain C API calls on a handle we own; strings outlive the calls.
        unsafe {
            let handle = tesseract_sys::TessBaseAPICreate();
            if handle.is_null() {
                return Err(());
            }
            if tesseract_sys::TessBaseAPIInit3(handle, datapath.as_ptr(), c"osd".as_ptr()) != 0 {
                tesseract_sys::TessBaseAPIDelete(handle);
                return Err(());
            }
            // OSD works on the image without its resolution and warns "Invalid resolution 0 dpi" on
            // every call (harmless: it estimates one); send this instance's messages nowhere.
            tesseract_sys::TessBaseAPISetVariable(
                handle,
                c"debug_file".as_ptr(),
                c"/dev/null".as_ptr(),
            );
            tesseract_sys::TessBaseAPISetPageSegMode(
                handle,
                tesseract_sys::TessPageSegMode_PSM_OSD_ONLY,
            );
            Ok(OrientationDetector { handle })
        }
    }

    /// The clockwise rotation (0, 90, 180, 270) that makes the image's text upright, when detected with
    /// some confidence. `pixels` fill `image` ([`check`]ed).
    fn clockwise_correction(&mut self, image: &ImageShape, pixels: &[u8]) -> Option<u16> {
        let bytes_per_pixel = c_int::from(image.bytes_per_pixel);
        let mut orient_deg: c_int = 0;
        let mut orient_conf: f32 = 0.0;
        let mut script_name: *const c_char = std::ptr::null();
        let mut script_conf: f32 = 0.0;
        // SAFETY: the image buffer outlives the detection call; out-pointers are valid locals.
        let ok = unsafe {
            tesseract_sys::TessBaseAPISetImage(
                self.handle,
                pixels.as_ptr(),
                image.width as c_int,
                image.height as c_int,
                bytes_per_pixel,
                image.width as c_int * bytes_per_pixel,
            );
            tesseract_sys::TessBaseAPISetSourceResolution(self.handle, image.dpi as c_int);
            let ok = tesseract_sys::TessBaseAPIDetectOrientationScript(
                self.handle,
                &mut orient_deg,
                &mut orient_conf,
                &mut script_name,
                &mut script_conf,
            );
            tesseract_sys::TessBaseAPIClear(self.handle);
            ok
        };
        if ok == 0 || orient_conf < 1.0 {
            return None;
        }
        // Tesseract reports the orientation of the text (counter-clockwise quadrant); correcting it takes
        // the opposite, clockwise rotation.
        Some(((360 - orient_deg.rem_euclid(360)) % 360) as u16)
    }
}

impl Drop for OrientationDetector {
    fn drop(&mut self) {
        // SAFETY: the handle was created by TessBaseAPICreate and is dropped once.
        unsafe {
            tesseract_sys::TessBaseAPIEnd(self.handle);
            tesseract_sys::TessBaseAPIDelete(self.handle);
        }
    }
}
