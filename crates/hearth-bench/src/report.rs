//! The result table.

use serde::Serialize;

/// One measured figure.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The scenario.
    pub scenario: &'static str,
    /// What was measured.
    pub metric: String,
    /// The figure.
    pub value: f64,
    /// Its unit.
    pub unit: &'static str,
    /// The budget, as text (empty if none).
    pub budget: String,
    /// Whether the figure meets the budget (`None`: no budget).
    pub within_budget: Option<bool>,
    /// The sizes it ran with.
    pub setup: String,
    /// The budget as a bound, to judge a value again (a median of runs).
    #[serde(skip)]
    limit: Option<Limit>,
}

/// A budget's bound.
#[derive(Clone, Copy, Debug)]
enum Limit {
    AtMost(f64),
    AtLeast(f64),
}

impl Row {
    pub(crate) fn new(
        scenario: &'static str,
        metric: impl Into<String>,
        value: f64,
        unit: &'static str,
        setup: &str,
    ) -> Self {
        Self {
            scenario,
            metric: metric.into(),
            value,
            unit,
            budget: String::new(),
            within_budget: None,
            setup: setup.to_owned(),
            limit: None,
        }
    }

    /// Sets a budget: at most `limit`.
    pub(crate) fn at_most(mut self, limit: f64) -> Self {
        self.budget = format!("≤ {limit}");
        self.limit = Some(Limit::AtMost(limit));
        self.judge();
        self
    }

    /// Sets a budget: at least `limit`.
    pub(crate) fn at_least(mut self, limit: f64) -> Self {
        self.budget = format!("≥ {limit}");
        self.limit = Some(Limit::AtLeast(limit));
        self.judge();
        self
    }

    fn judge(&mut self) {
        self.within_budget = self.limit.map(|limit| match limit {
            Limit::AtMost(most) => self.value <= most,
            Limit::AtLeast(least) => self.value >= least,
        });
    }
}

/// One scenario's rows from repeated runs merged into one set: each figure is the median of
/// its runs (the lower middle one for an even count), judged against its budget again, and its
/// setup gives the number of runs and their range. Runs whose rows do not line up with the
/// first run's (never, for one scenario) are left out.
pub(crate) fn median_of_runs(mut runs: Vec<Vec<Row>>) -> Vec<Row> {
    if runs.len() < 2 {
        return runs.pop().unwrap_or_default();
    }
    let first = runs.remove(0);
    let aligned: Vec<Vec<Row>> = runs
        .into_iter()
        .filter(|run| {
            run.len() == first.len() && run.iter().zip(&first).all(|(a, b)| a.metric == b.metric)
        })
        .collect();
    first
        .into_iter()
        .enumerate()
        .map(|(i, mut row)| {
            let mut values: Vec<f64> = aligned
                .iter()
                .filter_map(|run| run.get(i).map(|r| r.value))
                .chain([row.value])
                .collect();
            values.sort_by(f64::total_cmp);
            let (low, high) = (
                values.first().copied().unwrap_or(row.value),
                values.last().copied().unwrap_or(row.value),
            );
            row.value = values
                .get((values.len() - 1) / 2)
                .copied()
                .unwrap_or(row.value);
            row.judge();
            row.setup = format!(
                "{}; median of {} runs ({low}–{high})",
                row.setup,
                values.len()
            );
            row
        })
        .collect()
}

/// Everything a run measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// The figures.
    pub rows: Vec<Row>,
}

impl Report {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A Markdown table.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| scenario | metric | value | unit | budget | ok | setup |\n|---|---|---|---|---|---|---|\n",
        );
        for row in &self.rows {
            let ok = match row.within_budget {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                row.scenario, row.metric, row.value, row.unit, row.budget, ok, row.setup
            ));
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::{Row, median_of_runs};

    fn run(values: [f64; 2]) -> Vec<Row> {
        vec![
            Row::new("t", "rate", values[0], "msg/s", "64 senders").at_least(10.0),
            Row::new("t", "p50", values[1], "ms", "64 senders"),
        ]
    }

    #[test]
    fn each_figure_is_the_median_of_its_runs_judged_again() {
        let merged = median_of_runs(vec![run([12.0, 3.0]), run([8.0, 9.0]), run([9.0, 1.0])]);
        assert_eq!(merged.len(), 2);
        let rate = merged.first().unwrap();
        assert_eq!(rate.value, 9.0);
        assert_eq!(
            rate.within_budget,
            Some(false),
            "the median misses the budget"
        );
        assert_eq!(rate.setup, "64 senders; median of 3 runs (8–12)");
        assert_eq!(merged.get(1).unwrap().value, 3.0);
    }

    #[test]
    fn one_run_is_reported_as_it_is() {
        let merged = median_of_runs(vec![run([12.0, 3.0])]);
        assert_eq!(merged.first().unwrap().setup, "64 senders");
        assert_eq!(merged.first().unwrap().within_budget, Some(true));
    }
}
