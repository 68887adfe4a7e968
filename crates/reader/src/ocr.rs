//! Optical character recognition of page images through Tesseract (in the `quire-ocr` engine process, see
//! [`crate::ocr_engine`]), with orientation detection (Tesseract's OSD) for pages that read poorly because
//! they are rotated, and an automatic language (`auto`): pages are read in English, and read again in German
//! or French when their words say they are in one of those languages (so umlauts and accents come out
//! right).

use image::DynamicImage;
use quire_document::{BBox, Word};

use crate::ocr_engine::{EngineError, ImageShape, OcrEngine, Request, Response};
use crate::ReaderConfig;

/// Words of one recognised image, in pixel coordinates of the (possibly rotated) image.
pub(crate) struct Recognized {
    pub words: Vec<Word>,
    /// Clockwise rotation applied to the input to make its text upright (0, 90, 180, 270).
    pub rotation_applied: u16,
    pub skew_degrees: f32,
    /// Size of the image the words refer to (after rotation).
    pub width: u32,
    pub height: u32,
    /// The Tesseract language(s) that gave the words, e.g. `eng` or `deu+eng`.
    pub language: String,
}

/// The language setting that picks the language per page.
pub const AUTO_LANGUAGE: &str = "auto";

/// What `auto` reads with first.
const AUTO_FIRST_LANGUAGE: &str = "eng";

/// Languages `auto` can switch to, with words that are common on business documents in that language and
/// rare in the others (compared lower-case, without surrounding punctuation).
const AUTO_LANGUAGES: [(&str, &[&str]); 2] = [
    (
        "deu",
        &[
            "rechnung",
            "rechnungsnummer",
            "rechnungsdatum",
            "mwst",
            "ust",
            "mwst.",
            "summe",
            "gesamt",
            "gesamtbetrag",
            "betrag",
            "datum",
            "netto",
            "brutto",
            "und",
            "der",
            "die",
            "das",
            "für",
            "fur",
            "mit",
            "bitte",
            "zahlbar",
            "menge",
            "preis",
            "einzelpreis",
            "steuer",
            "straße",
            "strasse",
            "vielen",
            "dank",
            "kunde",
            "kundennummer",
            "lieferung",
            "zwischensumme",
            "rückgeld",
            "ruckgeld",
            "quittung",
            "beleg",
            "uhr",
            "zahlung",
            "bankverbindung",
            "nr",
            "gmbh",
            "bezeichnung",
            "anzahl",
            "leistung",
            "zahlungsziel",
            "innerhalb",
            "tagen",
            "ohne",
            "abzug",
            "kontoauszug",
            "saldo",
            "alter",
            "neuer",
        ],
    ),
    (
        "fra",
        &[
            "facture",
            "tva",
            "ttc",
            "ht",
            "montant",
            "le",
            "la",
            "les",
            "du",
            "des",
            "et",
            "pour",
            "prix",
            "quantité",
            "quantite",
            "rue",
            "merci",
            "client",
            "échéance",
            "echeance",
            "règlement",
            "reglement",
            "à",
            "payer",
            "sous-total",
            "espèces",
            "especes",
            "rendu",
            "caisse",
            "numéro",
            "numero",
            "désignation",
            "designation",
            "unitaire",
            "sarl",
            "sas",
            "date d'échéance",
            "net à payer",
            "acompte",
            "relevé",
            "releve",
            "solde",
            "ancien",
            "nouveau",
            "avenue",
            "paiement",
            "virement",
            "conditions",
        ],
    ),
];

/// Words that say a page is in English (to tell an English page quoting a German name from a German
/// page).
const ENGLISH_WORDS: &[&str] = &[
    "invoice",
    "total",
    "date",
    "tax",
    "amount",
    "the",
    "and",
    "for",
    "thank",
    "you",
    "due",
    "payment",
    "subtotal",
    "receipt",
    "qty",
    "price",
    "description",
    "to",
    "of",
    "number",
    "quantity",
    "bill",
    "statement",
    "balance",
    "please",
    "account",
    "customer",
    "order",
];

/// The language (`deu`, `fra`) a page's words are in, when it is one `auto` can switch to: at least three
/// of its words, and at least as many as English words.
pub(crate) fn detect_language(words: &[Word]) -> Option<&'static str> {
    let mut counts = [0usize; AUTO_LANGUAGES.len()];
    let mut n_english = 0usize;
    for word in words {
        let text = word
            .text
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
            .to_lowercase();
        if text.is_empty() {
            continue;
        }
        if ENGLISH_WORDS.contains(&text.as_str()) {
            n_english += 1;
        }
        for (index, (_, vocabulary)) in AUTO_LANGUAGES.iter().enumerate() {
            if vocabulary.contains(&text.as_str()) {
                counts[index] += 1;
            }
        }
    }
    let (best, &n_best) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    (n_best >= 3 && n_best >= n_english).then_some(AUTO_LANGUAGES[best].0)
}

/// Tesseract in the OCR engine process (see [`crate::ocr_engine`]), with an orientation detector when
/// `osd.traineddata` is installed. Creating one costs about 100 ms (the engine's start and Tesseract's
/// models), so it is kept and reused.
pub(crate) struct Recognizer {
    engine: OcrEngine,
    /// The configured language (`auto`, or Tesseract languages like `eng+deu`).
    language: String,
    /// With `auto`: the languages installed that pages can be read again in.
    auto_languages: Vec<&'static str>,
    orientation: Orientation,
    detect_orientation: bool,
}

/// The orientation detector (Tesseract's `osd` model), loaded in the engine on first use.
enum Orientation {
    Unavailable,
    Available { tessdata: String },
    Loaded,
}

/// Pages reading worse than this (mean word confidence) are checked for rotation.
const POOR_CONFIDENCE: f32 = 70.0;

impl Recognizer {
    pub fn new(config: &ReaderConfig) -> Result<Recognizer, EngineError> {
        let tessdata = crate::backend::tessdata_dir(config);
        let tessdata_str = tessdata
            .as_ref()
            .and_then(|p| p.to_str().map(str::to_owned));
        if config.ocr_language.contains('\0') {
            return Err(EngineError::Failed("invalid OCR language name".into()));
        }
        let auto = config.ocr_language == AUTO_LANGUAGE;
        let first_language = if auto {
            AUTO_FIRST_LANGUAGE
        } else {
            config.ocr_language.as_str()
        };
        let installed = |lang: &str| {
            tessdata
                .as_ref()
                .is_none_or(|dir| dir.join(format!("{lang}.traineddata")).exists())
        };
        if let Some(dir) = &tessdata {
            for lang in first_language.split('+') {
                if !installed(lang) {
                    return Err(EngineError::Failed(format!(
                        "Tesseract language data '{lang}' not found in {}",
                        dir.display()
                    )));
                }
            }
        }
        let auto_languages = if auto {
            AUTO_LANGUAGES
                .iter()
                .map(|(lang, _)| *lang)
                .filter(|lang| tessdata.is_some() && installed(lang))
                .collect()
        } else {
            Vec::new()
        };
        let mut engine = OcrEngine::start(config)?;
        engine.call(
            &Request::Load {
                tessdata: tessdata_str,
                language: first_language.to_string(),
            },
            None,
        )?;
        // Loaded on first use (about 130 ms): most pages read well as they are.
        let orientation = tessdata
            .as_ref()
            .filter(|dir| config.detect_orientation && dir.join("osd.traineddata").exists())
            .and_then(|dir| dir.to_str())
            .map(|dir| Orientation::Available {
                tessdata: dir.to_string(),
            })
            .unwrap_or(Orientation::Unavailable);
        Ok(Recognizer {
            engine,
            language: config.ocr_language.clone(),
            auto_languages,
            orientation,
            detect_orientation: config.detect_orientation,
        })
    }

    /// The engine's process id (for tests).
    pub fn engine_id(&self) -> Option<u32> {
        self.engine.id()
    }

    /// A one-line description: version, language, orientation detection.
    pub fn describe(&mut self) -> String {
        let language = if self.language == AUTO_LANGUAGE {
            let mut also = self.auto_languages.join(", ");
            if also.is_empty() {
                also = "none installed".into();
            }
            format!("auto ({AUTO_FIRST_LANGUAGE}; pages re-read in: {also})")
        } else {
            self.language.clone()
        };
        let version = match self.engine.call(&Request::Version, None) {
            Ok(Response::Version(version)) => version,
            _ => "unknown".into(),
        };
        format!(
            "Tesseract {version} (in the {} engine), language {language}, orientation detection {}",
            crate::ocr_engine::ENGINE_PROGRAM,
            if matches!(self.orientation, Orientation::Unavailable) {
                "off (install tesseract-ocr-osd)"
            } else {
                "on"
            }
        )
    }

    /// Recognises the words of an image (8-bit gray or RGB: colour photos binarise better in colour)
    /// scanned at `dpi`, turning it upright first when it reads poorly and orientation detection finds it
    /// rotated.
    pub fn recognize(&mut self, image: &DynamicImage, dpi: u32) -> Result<Recognized, EngineError> {
        let upright = self.recognize_upright(image, dpi)?;
        let Some(language) =
            detect_language(&upright.words).filter(|lang| self.auto_languages.contains(lang))
        else {
            return Ok(upright);
        };
        // The page is in another language: read it again with that language first (English second, for
        // the English words business documents carry).
        let combined = format!("{language}+{AUTO_FIRST_LANGUAGE}");
        let rotated;
        let image = match upright.rotation_applied {
            90 => {
                rotated = image.rotate90();
                &rotated
            }
            180 => {
                rotated = image.rotate180();
                &rotated
            }
            270 => {
                rotated = image.rotate270();
                &rotated
            }
            _ => image,
        };
        let mut again = self.recognize_with(image, dpi, &combined)?;
        // Kept unless it reads clearly worse (a wrong guess of the language).
        if mean_confidence(&again.words) + 5.0 >= mean_confidence(&upright.words) {
            again.rotation_applied = upright.rotation_applied;
            Ok(again)
        } else {
            Ok(upright)
        }
    }

    /// [`Recognizer::recognize`] in the first language: the page turned upright when needed.
    fn recognize_upright(
        &mut self,
        image: &DynamicImage,
        dpi: u32,
    ) -> Result<Recognized, EngineError> {
        let first = self.recognize_as_is(image, dpi)?;
        if !self.detect_orientation || !reads_poorly(&first.words) {
            return Ok(first);
        }
        let rotation = self.clockwise_correction(image, dpi)?;
        let Some(rotation) = rotation.filter(|&r| r != 0) else {
            return Ok(first);
        };
        let rotated = match rotation {
            90 => image.rotate90(),
            180 => image.rotate180(),
            _ => image.rotate270(),
        };
        let mut second = self.recognize_as_is(&rotated, dpi)?;
        // Tesseract can read a page turned by 90 degrees with good confidence, line by line on end; the
        // upright reading wins when it reads well, or better.
        if !reads_poorly(&second.words)
            || mean_confidence(&second.words) > mean_confidence(&first.words)
        {
            second.rotation_applied = rotation;
            Ok(second)
        } else {
            Ok(first)
        }
    }

    fn recognize_as_is(
        &mut self,
        image: &DynamicImage,
        dpi: u32,
    ) -> Result<Recognized, EngineError> {
        let language = self.first_language().to_string();
        self.recognize_with(image, dpi, &language)
    }

    /// Recognises an image as it is with the engine's Tesseract instance of `language` (which the engine
    /// creates on first use, from the data folder of the first `Load`).
    fn recognize_with(
        &mut self,
        image: &DynamicImage,
        dpi: u32,
        language: &str,
    ) -> Result<Recognized, EngineError> {
        let (pixels, shape) = raster(image, dpi)?;
        let request = Request::Recognize {
            language: language.to_string(),
            image: shape,
        };
        let tsv = match self.engine.call(&request, Some(pixels))? {
            Response::Tsv(tsv) => tsv,
            other => {
                return Err(EngineError::Failed(format!(
                    "the OCR engine answered {other:?} to a recognition"
                )))
            }
        };
        let parsed = parse_tsv(&tsv);
        Ok(Recognized {
            skew_degrees: estimate_skew_degrees(&parsed),
            words: parsed.into_iter().map(|w| w.word).collect(),
            rotation_applied: 0,
            width: shape.width,
            height: shape.height,
            language: language.to_string(),
        })
    }

    fn first_language(&self) -> &str {
        if self.language == AUTO_LANGUAGE {
            AUTO_FIRST_LANGUAGE
        } else {
            &self.language
        }
    }

    /// The clockwise rotation (0, 90, 180, 270) that makes the image's text upright, when detected with
    /// some confidence.
    fn clockwise_correction(
        &mut self,
        image: &DynamicImage,
        dpi: u32,
    ) -> Result<Option<u16>, EngineError> {
        if let Orientation::Available { tessdata } = &self.orientation {
            let request = Request::LoadOrientation {
                tessdata: tessdata.clone(),
            };
            self.orientation = match self.engine.call(&request, None) {
                Ok(_) => Orientation::Loaded,
                Err(EngineError::Failed(_)) => Orientation::Unavailable,
                Err(other) => return Err(other),
            };
        }
        if !matches!(self.orientation, Orientation::Loaded) {
            return Ok(None);
        }
        let (pixels, shape) = raster(image, dpi)?;
        match self
            .engine
            .call(&Request::DetectOrientation { image: shape }, Some(pixels))
        {
            Ok(Response::Rotation(rotation)) => Ok(rotation),
            // Not detected: the page is read as it is.
            Ok(_) | Err(EngineError::Failed(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// The pixels of an image as Tesseract takes them (8-bit gray or 8-bit RGB, rows without padding) and
/// their shape.
fn raster(image: &DynamicImage, dpi: u32) -> Result<(&[u8], ImageShape), EngineError> {
    let (pixels, width, height, bytes_per_pixel) = match image {
        DynamicImage::ImageRgb8(rgb) => (rgb.as_raw().as_slice(), rgb.width(), rgb.height(), 3),
        DynamicImage::ImageLuma8(gray) => {
            (gray.as_raw().as_slice(), gray.width(), gray.height(), 1)
        }
        // Pages are normalised to gray or RGB before OCR (image_input::normalise); anything else is a
        // bug, and recognising nothing beats misreading the bytes.
        _ => (&[][..], 0, 0, 1),
    };
    if width == 0 || height == 0 {
        return Err(EngineError::Failed(
            "the page image is empty or in an unsupported pixel format".into(),
        ));
    }
    let shape = ImageShape {
        width,
        height,
        bytes_per_pixel,
        dpi,
    };
    Ok((pixels, shape))
}

/// Whether a recognition result suggests the page is not upright: few words, low confidence, or words
/// standing on end (Tesseract reads a page turned by 90 degrees line by line, with tall, narrow word boxes).
fn reads_poorly(words: &[Word]) -> bool {
    if words.len() < 3 || mean_confidence(words) < POOR_CONFIDENCE {
        return true;
    }
    let long_words: Vec<&Word> = words
        .iter()
        .filter(|w| w.text.chars().count() >= 4)
        .collect();
    let n_standing = long_words
        .iter()
        .filter(|w| w.bbox.height() > w.bbox.width())
        .count();
    !long_words.is_empty() && n_standing * 2 > long_words.len()
}

fn mean_confidence(words: &[Word]) -> f32 {
    if words.is_empty() {
        return 0.0;
    }
    words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32
}

/// A word from Tesseract's TSV output with the line it belongs to.
pub(crate) struct TsvWord {
    pub word: Word,
    /// (block, paragraph, line) as numbered by Tesseract.
    pub line_key: (u32, u32, u32),
}

/// Parses Tesseract's TSV output (level 5 rows are words).
pub(crate) fn parse_tsv(tsv: &str) -> Vec<TsvWord> {
    let mut words = Vec::new();
    for row in tsv.lines() {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<f32>().ok();
        let (Some(left), Some(top), Some(w), Some(h), Some(conf)) =
            (num(6), num(7), num(8), num(9), num(10))
        else {
            continue;
        };
        let text = cols[11..].join("\t");
        let text = text.trim();
        if text.is_empty() || conf < 0.0 {
            continue;
        }
        let key = |i: usize| cols[i].trim().parse::<u32>().unwrap_or(0);
        words.push(TsvWord {
            word: Word::new(text, BBox::new(left, top, left + w, top + h), conf),
            line_key: (key(2), key(3), key(4)),
        });
    }
    words
}

/// The median slope of Tesseract's text lines, in degrees (positive: lines run downhill to the right).
/// Tesseract finds lines on skewed scans itself; this measures their slope so that line grouping of the
/// words can compensate.
pub(crate) fn estimate_skew_degrees(words: &[TsvWord]) -> f32 {
    let mut by_line: std::collections::BTreeMap<(u32, u32, u32), Vec<&Word>> = Default::default();
    for w in words {
        by_line.entry(w.line_key).or_default().push(&w.word);
    }
    let mut slopes: Vec<f32> = Vec::new();
    for line in by_line.values() {
        if line.len() < 3 {
            continue;
        }
        let xs: Vec<f32> = line.iter().map(|w| w.bbox.center_x()).collect();
        // The bottom edge is steadier than the centre (it ignores ascenders), but descenders disturb it; the
        // least-squares fit over several words averages that out.
        let ys: Vec<f32> = line.iter().map(|w| w.bbox.y1).collect();
        let n = xs.len() as f32;
        let mean_x = xs.iter().sum::<f32>() / n;
        let mean_y = ys.iter().sum::<f32>() / n;
        let sxx: f32 = xs.iter().map(|x| (x - mean_x).powi(2)).sum();
        let span = xs.iter().cloned().fold(f32::MIN, f32::max)
            - xs.iter().cloned().fold(f32::MAX, f32::min);
        if sxx <= 0.0 || span < 100.0 {
            continue;
        }
        let sxy: f32 = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| (x - mean_x) * (y - mean_y))
            .sum();
        slopes.push(sxy / sxx);
    }
    if slopes.is_empty() {
        return 0.0;
    }
    slopes.sort_by(f32::total_cmp);
    let median = slopes[slopes.len() / 2];
    let degrees = median.atan().to_degrees();
    // Only correct plausible scanner skew; anything larger is a misfit.
    if degrees.abs() > 10.0 {
        0.0
    } else {
        degrees
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Word> {
        text.split_whitespace()
            .map(|w| Word {
                text: w.to_string(),
                bbox: BBox::new(0.0, 0.0, 1.0, 1.0),
                confidence: 90.0,
            })
            .collect()
    }

    #[test]
    fn the_page_language_comes_from_its_words() {
        let german = "Rechnung Nr. 2025-17 Datum: 12.03.2025 Menge Bezeichnung Einzelpreis Summe \
                      Gesamtbetrag inkl. MwSt. zahlbar innerhalb 14 Tagen ohne Abzug";
        assert_eq!(detect_language(&words(german)), Some("deu"));
        let french =
            "FACTURE N° 88 Date d'échéance : 30/09/2025 Désignation Quantité Prix unitaire \
                      Total HT TVA 20 % Total TTC Net à payer par virement";
        assert_eq!(detect_language(&words(french)), Some("fra"));
        let english = "INVOICE Invoice number INV-7 Date 2025-08-15 Description Qty Price Amount \
                       Subtotal Tax Total due Thank you for your order from Müller GmbH";
        assert_eq!(detect_language(&words(english)), None);
        // Two German words are not enough.
        assert_eq!(detect_language(&words("Total 12.00 Rechnung MwSt")), None);
    }

    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t1000\t1000\t-1\t
4\t1\t1\t1\t1\t0\t10\t10\t500\t30\t-1\t
5\t1\t1\t1\t1\t1\t10\t10\t100\t30\t96.5\tInvoice
5\t1\t1\t1\t1\t2\t200\t14\t100\t30\t91.0\tNo.
5\t1\t1\t1\t1\t3\t400\t18\t100\t30\t88.0\t1234
5\t1\t1\t1\t2\t1\t10\t60\t100\t30\t-1\t
";

    #[test]
    fn tsv_words_keep_text_box_confidence_and_line() {
        let words = parse_tsv(TSV);
        assert_eq!(words.len(), 3);
        assert_eq!(words[0].word.text, "Invoice");
        assert_eq!(words[0].word.bbox, BBox::new(10.0, 10.0, 110.0, 40.0));
        assert_eq!(words[0].word.confidence, 96.5);
        assert_eq!(words[2].line_key, (1, 1, 1));
    }

    #[test]
    fn skew_is_the_slope_of_tesseract_lines() {
        // Bottoms at 40, 44, 48 for centres 60, 250, 450: about 4 px per 195 px, 1.17 degrees.
        let degrees = estimate_skew_degrees(&parse_tsv(TSV));
        assert!((degrees - 1.17).abs() < 0.05, "{degrees}");
    }

    #[test]
    fn no_lines_means_no_skew() {
        assert_eq!(estimate_skew_degrees(&[]), 0.0);
    }
}
