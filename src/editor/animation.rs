//! An animated GIF from RGBA frames (the app's "Animation (GIF)" export).
//!
//! GIF holds at most 256 colours per frame, so each frame gets its own
//! palette (a local colour table): its colours are first grouped into
//! 5-bit-per-channel cells; with 255 cells or fewer each is an entry (at its
//! mean colour). With more, the 130 most common cells (by pixel count, ties
//! by cell) are entries and a 5x5x5 cube fills the rest, so no colour is
//! more than 32 levels per channel from its entry; every cell takes the
//! nearest entry. A diagram has a few flat theme colours plus their
//! anti-aliased edges, so its theme's colours stay exact. Deterministic: the same frames give the same bytes. The
//! `gif` crate writes the file (LZW by `weezl`).

use gif::{Encoder, Frame, Repeat};

/// Cells of the 5-bit-per-channel colour cube.
const CELLS: usize = 1 << 15;
const PALETTE: usize = 255;
/// Entries kept for the most common colours when a frame has too many.
const COMMON: usize = 130;
/// The fallback cube's levels per channel (5 x 5 x 5 = 125 entries).
const CUBE: [u8; 5] = [0, 64, 128, 191, 255];

/// Why a GIF could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GifError {
    /// Width or height is 0 or above GIF's 65535.
    Size(u32, u32),
    /// A frame's bytes do not match 4 x width x height.
    FrameBytes {
        expected: usize,
        got: usize,
    },
    Encode(String),
}

impl std::fmt::Display for GifError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GifError::Size(w, h) => write!(f, "a GIF frame of {w}x{h} pixels is not possible"),
            GifError::FrameBytes { expected, got } => write!(f, "a frame has {got} bytes, expected {expected}"),
            GifError::Encode(e) => write!(f, "GIF encoding failed: {e}"),
        }
    }
}

/// Writes frames of one size into a looping GIF.
pub struct GifWriter {
    encoder: Encoder<Vec<u8>>,
    width: u16,
    height: u16,
    delay_cs: u16,
    frames: usize,
}

fn cell(r: u8, g: u8, b: u8) -> usize {
    (usize::from(r >> 3) << 10) | (usize::from(g >> 3) << 5) | usize::from(b >> 3)
}

impl GifWriter {
    /// A GIF of `width` x `height` pixels showing each frame `delay_cs`
    /// hundredths of a second, looping forever.
    pub fn new(width: u32, height: u32, delay_cs: u16) -> Result<GifWriter, GifError> {
        let size = |v: u32| u16::try_from(v).ok().filter(|v| *v > 0);
        let (Some(w), Some(h)) = (size(width), size(height)) else {
            return Err(GifError::Size(width, height));
        };
        let mut encoder = Encoder::new(Vec::new(), w, h, &[]).map_err(|e| GifError::Encode(e.to_string()))?;
        encoder.set_repeat(Repeat::Infinite).map_err(|e| GifError::Encode(e.to_string()))?;
        Ok(GifWriter { encoder, width: w, height: h, delay_cs, frames: 0 })
    }

    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Adds a frame of RGBA bytes (alpha ignored: frames are opaque).
    pub fn add_rgba(&mut self, rgba: &[u8]) -> Result<(), GifError> {
        let pixels = usize::from(self.width) * usize::from(self.height);
        if rgba.len() != pixels * 4 {
            return Err(GifError::FrameBytes { expected: pixels * 4, got: rgba.len() });
        }
        let (palette, index) = quantize(rgba);
        let indexed: Vec<u8> = rgba.chunks_exact(4).map(|p| index[cell(p[0], p[1], p[2])]).collect();
        let mut frame = Frame::from_palette_pixels(self.width, self.height, indexed, palette, None);
        frame.delay = self.delay_cs;
        self.encoder.write_frame(&frame).map_err(|e| GifError::Encode(e.to_string()))?;
        self.frames += 1;
        Ok(())
    }

    /// The GIF file.
    pub fn finish(self) -> Result<Vec<u8>, GifError> {
        self.encoder.into_inner().map_err(|e| GifError::Encode(e.to_string()))
    }
}

/// A frame's palette (RGB bytes) and each colour cell's palette index.
fn quantize(rgba: &[u8]) -> (Vec<u8>, Vec<u8>) {
    // Pixel count and colour sums per cell.
    let mut count = vec![0u32; CELLS];
    let mut sum = vec![[0u64; 3]; CELLS];
    for p in rgba.chunks_exact(4) {
        let c = cell(p[0], p[1], p[2]);
        count[c] += 1;
        for k in 0..3 {
            sum[c][k] += u64::from(p[k]);
        }
    }
    let mut used: Vec<usize> = (0..CELLS).filter(|&c| count[c] > 0).collect();
    crate::engine::order::sort_by(&mut used, |a, b| count[*b].cmp(&count[*a]).then(a.cmp(b)));
    let many = used.len() > PALETTE;
    used.truncate(if many { COMMON } else { PALETTE });
    let mut colours: Vec<[u8; 3]> = used
        .iter()
        .map(|&c| {
            let n = u64::from(count[c]);
            [0, 1, 2].map(|k| ((sum[c][k] + n / 2) / n) as u8)
        })
        .collect();
    if many {
        colours.extend(CUBE.iter().flat_map(|&r| CUBE.iter().flat_map(move |&g| CUBE.map(|b| [r, g, b]))));
    }
    let mut index = vec![0u8; CELLS];
    for c in (0..CELLS).filter(|&c| count[c] > 0) {
        let mean = [0, 1, 2].map(|k| (sum[c][k] / u64::from(count[c])) as i32);
        let nearest = colours
            .iter()
            .enumerate()
            .min_by_key(|(_, p)| (0..3).map(|k| (mean[k] - i32::from(p[k])).pow(2)).sum::<i32>())
            .map_or(0, |(i, _)| i);
        index[c] = nearest as u8;
    }
    let mut palette: Vec<u8> = colours.iter().flatten().copied().collect();
    if palette.is_empty() {
        palette.extend([0, 0, 0]);
    }
    (palette, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame of `w` x `h`: background, and a red square at `x`.
    fn frame(w: u32, h: u32, x: u32) -> Vec<u8> {
        let mut out = Vec::new();
        for py in 0..h {
            for px in 0..w {
                let on = px >= x && px < x + 4 && py < 4;
                out.extend(if on { [220, 40, 40, 255] } else { [246, 247, 249, 255] });
            }
        }
        out
    }

    #[test]
    fn frames_come_back_with_their_size_count_and_colours() {
        let mut g = GifWriter::new(16, 8, 10).unwrap();
        for x in [0, 4, 8] {
            g.add_rgba(&frame(16, 8, x)).unwrap();
        }
        assert_eq!(g.frames(), 3);
        let bytes = g.finish().unwrap();
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        let mut d = options.read_info(bytes.as_slice()).unwrap();
        assert_eq!((d.width(), d.height()), (16, 8));
        let mut n = 0;
        while let Some(f) = d.read_next_frame().unwrap() {
            assert_eq!(f.delay, 10);
            let red_at = |px: usize| f.buffer[px * 4..px * 4 + 3] == [220, 40, 40];
            assert!(red_at(n * 4) && !red_at((n * 4 + 4) % 16), "frame {n}: the square moved");
            n += 1;
        }
        assert_eq!(n, 3);
    }

    #[test]
    fn bad_sizes_and_short_frames_are_refused_not_panics() {
        assert_eq!(GifWriter::new(0, 10, 10).err(), Some(GifError::Size(0, 10)));
        assert!(GifWriter::new(70_000, 10, 10).is_err());
        let mut g = GifWriter::new(4, 4, 10).unwrap();
        assert_eq!(g.add_rgba(&[0; 10]), Err(GifError::FrameBytes { expected: 64, got: 10 }));
    }

    #[test]
    fn many_colours_map_to_the_nearest_palette_entry() {
        // A gradient of 4096 colours: at most 255 in the palette, each
        // pixel within one cell's reach of its colour.
        let (w, h) = (64u32, 64u32);
        let rgba: Vec<u8> = (0..w * h).flat_map(|i| [(i % 64 * 4) as u8, (i / 64 * 4) as u8, 128, 255]).collect();
        let (palette, index) = quantize(&rgba);
        assert!(palette.len() <= 255 * 3);
        for p in rgba.chunks_exact(4) {
            let i = usize::from(index[cell(p[0], p[1], p[2])]);
            let q = &palette[i * 3..i * 3 + 3];
            let far = (0..3).map(|k| (i32::from(p[k]) - i32::from(q[k])).abs()).max().unwrap();
            assert!(far <= 40, "{p:?} drawn as {q:?}");
        }
    }
}
