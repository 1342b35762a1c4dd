//! Goal health: on track, at risk or off track, with the reasons (DESIGN §2).

use jiff::civil::Date;
use serde::Serialize;

use crate::deps::DepClass;
use crate::model::{Item, ItemStatus};

/// How a goal that is a plan is doing.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    OnTrack,
    AtRisk,
    OffTrack,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::OnTrack => "on_track",
            Health::AtRisk => "at_risk",
            Health::OffTrack => "off_track",
        }
    }
}

/// Why a goal's health dropped. Codes are stable for JSON and every surface.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum HealthReason {
    /// The forecast finish is after the target date.
    ForecastPastTarget,
    /// It depends on something nobody committed to.
    PhantomDependency,
    /// It depends on something committed for after it is needed.
    LateDependency,
    /// An open item's due date has passed.
    OverdueItems,
    /// An item has been blocked for more than the allowed days.
    BlockedItems,
    /// What it depends on is blocked, overdue or forecast late.
    AtRiskDependency,
    /// Some open items cannot be forecast (no owner, estimate or available hours).
    UnknownForecast,
}

impl HealthReason {
    /// The stable code, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthReason::ForecastPastTarget => "forecast_past_target",
            HealthReason::PhantomDependency => "phantom_dependency",
            HealthReason::LateDependency => "late_dependency",
            HealthReason::OverdueItems => "overdue_items",
            HealthReason::BlockedItems => "blocked_items",
            HealthReason::AtRiskDependency => "at_risk_dependency",
            HealthReason::UnknownForecast => "unknown_forecast",
        }
    }

    /// The health a reason alone brings a goal down to.
    pub fn severity(self) -> Health {
        match self {
            HealthReason::ForecastPastTarget
            | HealthReason::PhantomDependency
            | HealthReason::LateDependency => Health::OffTrack,
            _ => Health::AtRisk,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            HealthReason::ForecastPastTarget => "the forecast finish is after the target",
            HealthReason::PhantomDependency => "it depends on something nobody committed to",
            HealthReason::LateDependency => "it depends on something due after it is needed",
            HealthReason::OverdueItems => "some of its items are overdue",
            HealthReason::BlockedItems => "some of its items have been blocked too long",
            HealthReason::AtRiskDependency => {
                "something it depends on is blocked, overdue or forecast late"
            }
            HealthReason::UnknownForecast => {
                "some items cannot be forecast (no owner, estimate or hours)"
            }
        }
    }
}

/// What health is judged on.
#[derive(Clone, Copy)]
pub struct HealthFacts<'a> {
    pub target: Option<Date>,
    pub items: &'a [&'a Item],
    /// When each blocked item became blocked, if known (by item id).
    pub blocked_since: &'a dyn Fn(&Item) -> Option<Date>,
    /// Classes of what the goal and its items need.
    pub needs: &'a [DepClass],
    /// The forecast finish; `None` when it cannot be forecast or was not computed.
    pub forecast: Option<Date>,
    /// Whether a forecast was computed and some open items had none.
    pub forecast_incomplete: bool,
    pub today: Date,
    /// Days an item may be blocked before the goal is at risk (default 3).
    pub blocked_days: i64,
}

/// The health of a goal and every reason it is not on track, worst first (DESIGN §2).
pub fn goal_health(f: &HealthFacts<'_>) -> (Health, Vec<HealthReason>) {
    let mut reasons = Vec::new();
    if let (Some(finish), Some(target)) = (f.forecast, f.target)
        && finish > target
    {
        reasons.push(HealthReason::ForecastPastTarget);
    }
    if f.needs.contains(&DepClass::Phantom) {
        reasons.push(HealthReason::PhantomDependency);
    }
    if f.needs.contains(&DepClass::Late) {
        reasons.push(HealthReason::LateDependency);
    }
    if f.items
        .iter()
        .any(|i| i.status.overdue(i.due.date, f.today))
    {
        reasons.push(HealthReason::OverdueItems);
    }
    if f.items.iter().any(|i| {
        i.status == ItemStatus::Blocked
            && (f.blocked_since)(i)
                .is_none_or(|since| crate::when::days_between(since, f.today) > f.blocked_days)
    }) {
        reasons.push(HealthReason::BlockedItems);
    }
    if f.needs.contains(&DepClass::AtRisk) {
        reasons.push(HealthReason::AtRiskDependency);
    }
    if f.forecast_incomplete {
        reasons.push(HealthReason::UnknownForecast);
    }
    reasons.sort();
    let health = reasons
        .iter()
        .map(|r| r.severity())
        .max()
        .unwrap_or(Health::OnTrack);
    (health, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemKind, When};
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 23);

    #[test]
    fn reason_codes_are_their_json_names() {
        use HealthReason::*;
        for r in [
            ForecastPastTarget,
            PhantomDependency,
            LateDependency,
            OverdueItems,
            BlockedItems,
            AtRiskDependency,
            UnknownForecast,
        ] {
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
    }

    fn item(status: ItemStatus, due: Date) -> Item {
        Item {
            id: 1,
            num: 1,
            title: "Step".into(),
            outcome: Some("done".into()),
            owner: Some(1),
            due: When::on(due),
            estimate_hours: Some(4.0),
            status,
            status_reason: None,
            actual_hours: None,
            done_at: None,
            kind: ItemKind::Strategic,
            goal: Some(1),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    fn facts<'a>(
        items: &'a [&'a Item],
        needs: &'a [DepClass],
        forecast: Option<Date>,
    ) -> HealthFacts<'a> {
        HealthFacts {
            target: Some(date(2026, 12, 31)),
            items,
            blocked_since: &|_| Some(date(2026, 11, 22)),
            needs,
            forecast,
            forecast_incomplete: false,
            today: TODAY,
            blocked_days: 3,
        }
    }

    #[test]
    fn a_plan_with_nothing_wrong_is_on_track() {
        let i = item(ItemStatus::Todo, date(2026, 12, 1));
        assert_eq!(
            goal_health(&facts(
                &[&i],
                &[DepClass::Ok, DepClass::Met],
                Some(date(2026, 12, 20))
            )),
            (Health::OnTrack, vec![])
        );
    }

    #[test]
    fn a_late_dependency_puts_it_off_track_with_the_reason() {
        let i = item(ItemStatus::Todo, date(2026, 12, 1));
        let (h, why) = goal_health(&facts(&[&i], &[DepClass::Late], None));
        assert_eq!(
            (h, why),
            (Health::OffTrack, vec![HealthReason::LateDependency])
        );
    }

    #[test]
    fn a_forecast_past_the_target_is_off_track() {
        let i = item(ItemStatus::Todo, date(2026, 12, 1));
        let (h, why) = goal_health(&facts(&[&i], &[], Some(date(2027, 1, 4))));
        assert_eq!(
            (h, why),
            (Health::OffTrack, vec![HealthReason::ForecastPastTarget])
        );
    }

    #[test]
    fn overdue_items_and_at_risk_dependencies_put_it_at_risk() {
        let i = item(ItemStatus::Doing, date(2026, 11, 20));
        let (h, why) = goal_health(&facts(&[&i], &[DepClass::AtRisk], None));
        assert_eq!(h, Health::AtRisk);
        assert_eq!(
            why,
            vec![HealthReason::OverdueItems, HealthReason::AtRiskDependency]
        );
    }

    #[test]
    fn an_item_blocked_longer_than_allowed_puts_it_at_risk() {
        let i = item(ItemStatus::Blocked, date(2026, 12, 10));
        let mut f = facts(&[], &[], None);
        let items = [&i];
        f.items = &items;
        assert_eq!(goal_health(&f).0, Health::OnTrack, "blocked one day only");
        f.blocked_since = &|_| Some(date(2026, 11, 16));
        assert_eq!(
            goal_health(&f),
            (Health::AtRisk, vec![HealthReason::BlockedItems])
        );
    }

    #[test]
    fn the_worst_reason_decides_and_all_are_listed() {
        let i = item(ItemStatus::Todo, date(2026, 11, 20));
        let (h, why) = goal_health(&facts(&[&i], &[DepClass::Phantom, DepClass::AtRisk], None));
        assert_eq!(h, Health::OffTrack);
        assert_eq!(
            why,
            vec![
                HealthReason::PhantomDependency,
                HealthReason::OverdueItems,
                HealthReason::AtRiskDependency
            ]
        );
    }
}
