//! A small hand-written SVG line chart: time against N on log-log axes, one panel per
//! backend, one line per tool.

use std::fmt::Write as _;

/// One line of a panel.
#[derive(Debug, Clone)]
pub struct Series {
    /// The legend text.
    pub label: String,
    /// `(N, seconds)` points, in increasing N.
    pub points: Vec<(f64, f64)>,
}

/// One panel: a backend with its lines.
#[derive(Debug, Clone)]
pub struct Panel {
    /// The panel's title.
    pub title: String,
    /// The lines.
    pub series: Vec<Series>,
}

const COLORS: [&str; 7] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf",
];
const DASHES: [&str; 7] = ["", "6 3", "2 2", "", "6 3", "2 2", ""];
const PANEL_W: f64 = 360.0;
const PANEL_H: f64 = 300.0;
const MARGIN_L: f64 = 60.0;
const MARGIN_B: f64 = 40.0;
const MARGIN_T: f64 = 30.0;
const LEGEND_H: f64 = 130.0;

/// Renders `panels` side by side, sharing no axes (each fits its own data).
pub fn render(title: &str, panels: &[Panel]) -> String {
    let width = PANEL_W * panels.len().max(1) as f64 + 20.0;
    let height = PANEL_H + LEGEND_H + 30.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" fill="white"/><text x="10" y="18" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
    for (p, panel) in panels.iter().enumerate() {
        draw_panel(&mut svg, panel, 10.0 + PANEL_W * p as f64, 24.0);
    }
    svg.push_str("</svg>\n");
    svg
}

fn draw_panel(svg: &mut String, panel: &Panel, x0: f64, y0: f64) {
    let points = panel.series.iter().flat_map(|s| s.points.iter());
    let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        xmin = xmin.min(x);
        xmax = xmax.max(x);
        ymin = ymin.min(y);
        ymax = ymax.max(y);
    }
    if xmin > xmax {
        return;
    }
    // Whole decades around the data, so that gridlines fall on 1, 10, 100, ...
    let (lx0, lx1) = (
        xmin.log10().floor(),
        xmax.log10().ceil().max(xmin.log10().floor() + 1.0),
    );
    let (ly0, ly1) = (
        ymin.log10().floor(),
        ymax.log10().ceil().max(ymin.log10().floor() + 1.0),
    );
    let plot_w = PANEL_W - MARGIN_L - 20.0;
    let plot_h = PANEL_H - MARGIN_T - MARGIN_B;
    let px = |x: f64| x0 + MARGIN_L + (x.log10() - lx0) / (lx1 - lx0) * plot_w;
    let py = |y: f64| y0 + MARGIN_T + plot_h - (y.log10() - ly0) / (ly1 - ly0) * plot_h;
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" font-size="13" text-anchor="middle">{}</text>"#,
        x0 + MARGIN_L + plot_w / 2.0,
        y0 + 18.0,
        escape(&panel.title)
    );
    let _ = writeln!(
        svg,
        r##"<rect x="{}" y="{}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>"##,
        x0 + MARGIN_L,
        y0 + MARGIN_T
    );
    for d in (lx0 as i32)..=(lx1 as i32) {
        let x = px(10f64.powi(d));
        let _ = writeln!(
            svg,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#ddd"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
            y0 + MARGIN_T,
            y0 + MARGIN_T + plot_h,
            y0 + MARGIN_T + plot_h + 14.0,
            decade(d, "")
        );
    }
    for d in (ly0 as i32)..=(ly1 as i32) {
        let y = py(10f64.powi(d));
        let _ = writeln!(
            svg,
            r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + plot_w,
            x0 + MARGIN_L - 4.0,
            y + 4.0,
            decade(d, " s")
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">N (migrations)</text>"#,
        x0 + MARGIN_L + plot_w / 2.0,
        y0 + MARGIN_T + plot_h + 30.0
    );
    for (i, series) in panel.series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let dash = DASHES[i % DASHES.len()];
        let path: Vec<String> = series
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>"#,
            path.join(" ")
        );
        for &(x, y) in &series.points {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#,
                px(x),
                py(y)
            );
        }
        let ly = y0 + PANEL_H + 4.0 + 15.0 * i as f64;
        let _ = writeln!(
            svg,
            r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{}" y="{}">{}</text>"#,
            x0 + 20.0,
            x0 + 45.0,
            x0 + 50.0,
            ly + 4.0,
            escape(&series.label)
        );
    }
}

/// `10^d` written plainly (`0.01`, `1`, `1000`), with a unit.
fn decade(d: i32, unit: &str) -> String {
    if d >= 0 {
        format!("{}{unit}", 10u64.pow(d as u32))
    } else {
        format!("{}{unit}", 10f64.powi(d))
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_series_and_point() {
        let panel = Panel {
            title: "SQLite <test>".into(),
            series: vec![Series {
                label: "migrate".into(),
                points: vec![(100.0, 0.05), (1000.0, 0.4)],
            }],
        };
        let svg = render("time", &[panel]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("SQLite &lt;test&gt;"));
    }
}
