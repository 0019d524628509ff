//! Regions on the canvas: each region is drawn as the padded bounding box
//! of its nodes, and dropping a node inside an area puts it in that region
//! (dragging it out of every area takes it out of its region). Also the
//! inspector's edits: a node's region (a new region gets a latency pair to
//! every existing one) and the scenario's latency pairs.

use super::geometry::{node_rect, Point, Rect};
use super::viewport::Viewport;
use crate::engine::format::regions::{self, NEW_PAIR_MS};
use crate::engine::format::Scenario;

/// World units around a region's nodes.
pub const PAD: f64 = 26.0;
/// Extra room above them for the region's name.
pub const LABEL_H: f64 = 22.0;

/// A region's area on the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    pub name: String,
    pub rect: Rect,
    /// Its tint: the region's position among every region the scenario names.
    pub tint: usize,
    /// Nodes in it.
    pub nodes: usize,
}

/// The areas of every region with a node, leaving out the nodes `skip` (the
/// ones being dragged, so the areas stay put under the pointer).
pub fn areas(s: &Scenario, skip: &[String]) -> Vec<Area> {
    let all = regions::all(s);
    let mut out: Vec<Area> = Vec::new();
    for n in s.nodes.iter().filter(|n| !skip.contains(&n.id)) {
        let Some(r) = regions::of(n) else { continue };
        let rect = node_rect(n);
        match out.iter_mut().find(|a| a.name == r) {
            Some(a) => {
                a.rect = a.rect.union(&rect);
                a.nodes += 1;
            }
            None => out.push(Area {
                name: r.to_string(),
                rect,
                tint: all.iter().position(|x| x == r).unwrap_or(0),
                nodes: 1,
            }),
        }
    }
    for a in &mut out {
        let r = a.rect;
        a.rect = Rect { x: r.x - PAD, y: r.y - PAD - LABEL_H, w: r.w + 2.0 * PAD, h: r.h + 2.0 * PAD + LABEL_H };
    }
    crate::engine::order::sort_by(&mut out, |a, b| a.name.cmp(&b.name));
    out
}

/// Where an area's name is drawn (its baseline's start, world units): the
/// area's top-left corner, slid right and down while that corner is off the
/// canvas, so a wide region panned half out of sight still says which region
/// it is. It never leaves the area. `chars` sizes the name (12 px capitals).
pub fn label_at(r: Rect, chars: usize, view: &Viewport) -> Point {
    const INSET: f64 = 14.0;
    let seen = view.to_world(Point::new(0.0, 0.0));
    let width = chars as f64 * 9.0;
    let x = (r.x + INSET).max(seen.x + 10.0 / view.zoom).min(r.x + r.w - INSET - width);
    let y = (r.y + 17.0).max(seen.y + 17.0 / view.zoom).min(r.y + r.h - 8.0);
    Point::new(x.max(r.x + INSET), y.max(r.y + 17.0))
}

/// The region whose area (of the nodes other than `skip`) holds `p`: the
/// smallest when areas overlap.
pub fn area_at(s: &Scenario, skip: &[String], p: Point) -> Option<String> {
    areas(s, skip)
        .into_iter()
        .filter(|a| a.rect.contains(p))
        .min_by(|a, b| (a.rect.w * a.rect.h).total_cmp(&(b.rect.w * b.rect.h)))
        .map(|a| a.name)
}

/// After the nodes `moved` were dropped: each one whose centre is inside a
/// region's area (drawn without the moved nodes) joins that region; one
/// whose box no longer touches its own region's area, and whose centre is
/// in no other area, leaves its region, unless its region has no other
/// node (then the area moved with it). Returns whether a region changed.
pub fn drop_into(s: &mut Scenario, moved: &[String]) -> bool {
    let areas = areas(s, moved);
    let mut changed = false;
    for id in moved {
        let Some(i) = s.nodes.iter().position(|n| &n.id == id) else { continue };
        let rect = node_rect(&s.nodes[i]);
        let center = rect.center();
        let inside: Vec<&Area> = areas.iter().filter(|a| a.rect.contains(center)).collect();
        let own = s.nodes[i].region.clone();
        // A node still touching its own area stays (so a region grows by
        // dragging its edge node outward a little).
        let touches_own = areas.iter().any(|a| Some(&a.name) == own.as_ref() && a.rect.intersects(&rect));
        let next = if touches_own && inside.iter().all(|a| Some(&a.name) == own.as_ref()) {
            own.clone()
        } else if inside.is_empty() {
            match &own {
                Some(r) if areas.iter().any(|a| &a.name == r) => None,
                other => other.clone(),
            }
        } else if inside.iter().any(|a| Some(&a.name) == own.as_ref()) {
            own.clone()
        } else {
            inside.iter().min_by(|a, b| (a.rect.w * a.rect.h).total_cmp(&(b.rect.w * b.rect.h))).map(|a| a.name.clone())
        };
        if next != own {
            s.nodes[i].region = next;
            changed = true;
        }
    }
    changed
}

/// Puts node `id` in `region` (None: in none). A region the scenario does
/// not name yet gets a pair at [`NEW_PAIR_MS`] to every region it names,
/// so the new region is usable at once and its latencies are editable.
pub fn set_region(s: &mut Scenario, id: &str, region: Option<&str>) -> Result<(), String> {
    if let Some(r) = region {
        if !regions::name_is_valid(r) {
            return Err(format!("`{r}` is not a region name: use 1 to 64 of A-Z a-z 0-9 _ -"));
        }
    }
    let existing = regions::all(s);
    let Some(n) = s.nodes.iter_mut().find(|n| n.id == id) else {
        return Err(format!("no node `{id}`"));
    };
    n.region = region.map(String::from);
    if let Some(r) = region {
        if !existing.iter().any(|x| x == r) {
            for other in existing {
                s.regions.push((other, r.to_string(), NEW_PAIR_MS));
            }
        }
    }
    Ok(())
}

/// Sets the latency of pair `i` (ms, one way); refuses what validation would.
pub fn set_pair_ms(s: &mut Scenario, i: usize, ms: f64) -> Result<(), String> {
    if !ms.is_finite() || ms < 0.0 {
        return Err("a region latency is a number of ms, 0 or more".into());
    }
    let pair = s.regions.get_mut(i).ok_or("no such pair")?;
    pair.2 = ms;
    Ok(())
}

/// Adds a pair between `a` and `b` at [`NEW_PAIR_MS`] (refused when they
/// are the same region or already paired).
pub fn add_pair(s: &mut Scenario, a: &str, b: &str) -> Result<(), String> {
    if a == b {
        return Err("a pair joins two different regions".into());
    }
    if s.regions.iter().any(|(x, y, _)| (x == a && y == b) || (x == b && y == a)) {
        return Err(format!("{a} and {b} already have a latency"));
    }
    for r in [a, b] {
        if !regions::name_is_valid(r) {
            return Err(format!("`{r}` is not a region name: use 1 to 64 of A-Z a-z 0-9 _ -"));
        }
    }
    s.regions.push((a.to_string(), b.to_string(), NEW_PAIR_MS));
    Ok(())
}

/// The regions not yet paired with each other, as (a, b).
pub fn missing_pairs(s: &Scenario) -> Vec<(String, String)> {
    let used = regions::used(s);
    let mut out = Vec::new();
    for (i, a) in used.iter().enumerate() {
        for b in &used[i + 1..] {
            if !s.regions.iter().any(|(x, y, _)| (x == a && y == b) || (x == b && y == a)) {
                out.push((a.clone(), b.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::{NodeKind, NodeSpec};

    fn node(id: &str, x: f64, y: f64, region: Option<&str>) -> NodeSpec {
        NodeSpec { x, y, region: region.map(String::from), ..NodeSpec::new(id, NodeKind::Service) }
    }

    fn doc() -> Scenario {
        Scenario {
            nodes: vec![
                node("a", 100.0, 100.0, Some("eu")),
                node("b", 400.0, 100.0, Some("eu")),
                node("c", 100.0, 500.0, Some("us")),
                node("d", 800.0, 800.0, None),
            ],
            regions: vec![("eu".into(), "us".into(), 40.0)],
            ..Scenario::default()
        }
    }

    #[test]
    fn areas_pad_the_bounding_box_of_each_regions_nodes() {
        let a = areas(&doc(), &[]);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].name, "eu");
        assert_eq!(a[0].nodes, 2);
        assert!(a[0].rect.contains(Point::new(250.0, 100.0)), "between its nodes");
        assert!(!a[0].rect.contains(Point::new(100.0, 500.0)));
        assert!(a[0].rect.y < 100.0 - 29.0 - PAD, "room for the label");
    }

    #[test]
    fn dropping_into_an_area_sets_the_region_and_out_of_all_clears_it() {
        let mut s = doc();
        s.nodes[3].x = 250.0;
        s.nodes[3].y = 110.0;
        assert!(drop_into(&mut s, &["d".into()]));
        assert_eq!(s.nodes[3].region.as_deref(), Some("eu"));
        // Out again, away from every area.
        s.nodes[3].x = 900.0;
        s.nodes[3].y = 900.0;
        assert!(drop_into(&mut s, &["d".into()]));
        assert_eq!(s.nodes[3].region, None);
        // b dragged into us's area moves to us.
        s.nodes[1].x = 120.0;
        s.nodes[1].y = 510.0;
        assert!(drop_into(&mut s, &["b".into()]));
        assert_eq!(s.nodes[1].region.as_deref(), Some("us"));
        // c is alone in us once b left... a lone node keeps its region
        // wherever it goes (its area moves with it).
        s.nodes[1].region = None;
        s.nodes[2].x = 1500.0;
        assert!(!drop_into(&mut s, &["c".into()]));
        assert_eq!(s.nodes[2].region.as_deref(), Some("us"));
    }

    #[test]
    fn a_new_region_gets_a_pair_to_every_other() {
        let mut s = doc();
        set_region(&mut s, "d", Some("ap")).expect("valid");
        assert_eq!(s.regions.len(), 3);
        assert!(s.regions.contains(&("eu".into(), "ap".into(), NEW_PAIR_MS)));
        assert!(crate::engine::format::validate::errors(&s).is_empty());
        assert!(set_region(&mut s, "d", Some("a b")).is_err());
        set_region(&mut s, "d", None).expect("none");
        assert_eq!(s.nodes[3].region, None);
        assert!(set_pair_ms(&mut s, 0, -1.0).is_err());
        assert!(set_pair_ms(&mut s, 0, 12.5).is_ok());
        assert_eq!(s.regions[0].2, 12.5);
        assert!(add_pair(&mut s, "eu", "us").is_err());
    }

    #[test]
    fn a_label_stays_in_sight_while_its_area_is() {
        let r = Rect { x: -500.0, y: 100.0, w: 1000.0, h: 300.0 };
        // Corner on the canvas: the label sits in it.
        let home = label_at(r, 2, &Viewport { pan_x: 600.0, pan_y: 0.0, zoom: 1.0 });
        assert_eq!(home, Point::new(-486.0, 117.0));
        // Panned so the corner is 200 px off the left edge: the label slides
        // right to the canvas's edge, still inside the area.
        let view = Viewport { pan_x: 300.0, pan_y: 0.0, zoom: 1.0 };
        let slid = label_at(r, 2, &view);
        assert!(view.to_screen(slid).x >= 0.0 && slid.x > home.x);
        // Nearly out of sight: the label stops at the area's right end.
        let far = label_at(r, 2, &Viewport { pan_x: -480.0, pan_y: -250.0, zoom: 1.0 });
        assert!(far.x + 18.0 <= r.x + r.w - 14.0 + 0.01, "{far:?}");
        assert!(far.y <= r.y + r.h - 8.0 && far.y > home.y);
    }
}
