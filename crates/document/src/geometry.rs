//! Axis-aligned boxes in page space (points, origin top-left, y grows downwards).

use serde::{Deserialize, Serialize};

/// An axis-aligned box: `x0 <= x1`, `y0 <= y1`, in points from the page's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl BBox {
    /// A box from two corners in any order.
    pub fn new(x0: f32, y0: f32, x1: f32, y1: f32) -> BBox {
        BBox {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
        }
    }

    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }

    pub fn center_y(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }

    pub fn center_x(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        BBox {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    /// Length of the overlap of the two boxes' vertical extents (0 when they do not overlap).
    pub fn vertical_overlap(&self, other: &BBox) -> f32 {
        (self.y1.min(other.y1) - self.y0.max(other.y0)).max(0.0)
    }

    /// This box relative to a page of the given size: every coordinate in 0..=1.
    pub fn normalized(&self, page_width: f32, page_height: f32) -> BBox {
        let w = if page_width > 0.0 { page_width } else { 1.0 };
        let h = if page_height > 0.0 { page_height } else { 1.0 };
        BBox {
            x0: self.x0 / w,
            y0: self.y0 / h,
            x1: self.x1 / w,
            y1: self.y1 / h,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_orders_corners() {
        let b = BBox::new(10.0, 20.0, 5.0, 2.0);
        assert_eq!(
            b,
            BBox {
                x0: 5.0,
                y0: 2.0,
                x1: 10.0,
                y1: 20.0
            }
        );
    }

    #[test]
    fn vertical_overlap_is_zero_for_disjoint_boxes() {
        let a = BBox::new(0.0, 0.0, 10.0, 10.0);
        let b = BBox::new(0.0, 12.0, 10.0, 20.0);
        assert_eq!(a.vertical_overlap(&b), 0.0);
        let c = BBox::new(50.0, 6.0, 60.0, 16.0);
        assert_eq!(a.vertical_overlap(&c), 4.0);
    }

    #[test]
    fn normalized_divides_by_page_size() {
        let b = BBox::new(59.5, 84.2, 119.0, 168.4).normalized(595.0, 842.0);
        assert!((b.x0 - 0.1).abs() < 1e-6 && (b.y1 - 0.2).abs() < 1e-6);
    }
}
