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
        }
    }

    /// Sets a budget: at most `limit`.
    pub(crate) fn at_most(mut self, limit: f64) -> Self {
        self.budget = format!("≤ {limit}");
        self.within_budget = Some(self.value <= limit);
        self
    }

    /// Sets a budget: at least `limit`.
    pub(crate) fn at_least(mut self, limit: f64) -> Self {
        self.budget = format!("≥ {limit}");
        self.within_budget = Some(self.value >= limit);
        self
    }
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
