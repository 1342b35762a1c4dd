//! Rule codes: the stable names every surface uses for a failing rule or a warning.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A rule of DESIGN §2 (and the warnings beside them). The code is what JSON, the CLI and the
/// web print; the hint says what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    GoalMissingOwner,
    GoalMissingDate,
    GoalMissingOutcome,
    GoalNoItems,
    ItemMissingWhat,
    ItemMissingWho,
    ItemMissingWhen,
    ItemAfterTarget,
    /// Warning: the estimate exceeds the workspace step limit.
    ItemTooBig,
    /// Warning: the outcome is a theme, not a measurable result.
    OutcomeVague,
}

impl Rule {
    /// Every rule and warning.
    pub const ALL: [Rule; 10] = [
        Rule::GoalMissingOwner,
        Rule::GoalMissingDate,
        Rule::GoalMissingOutcome,
        Rule::GoalNoItems,
        Rule::ItemMissingWhat,
        Rule::ItemMissingWho,
        Rule::ItemMissingWhen,
        Rule::ItemAfterTarget,
        Rule::ItemTooBig,
        Rule::OutcomeVague,
    ];
    /// The goal-level rules, in checklist order.
    pub const GOAL_RULES: [Rule; 4] = [
        Rule::GoalMissingOwner,
        Rule::GoalMissingDate,
        Rule::GoalMissingOutcome,
        Rule::GoalNoItems,
    ];
    /// The rules every open item of a plan must pass, in checklist order.
    pub const ITEM_RULES: [Rule; 4] = [
        Rule::ItemMissingWhat,
        Rule::ItemMissingWho,
        Rule::ItemMissingWhen,
        Rule::ItemAfterTarget,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::GoalMissingOwner => "goal_missing_owner",
            Rule::GoalMissingDate => "goal_missing_date",
            Rule::GoalMissingOutcome => "goal_missing_outcome",
            Rule::GoalNoItems => "goal_no_items",
            Rule::ItemMissingWhat => "item_missing_what",
            Rule::ItemMissingWho => "item_missing_who",
            Rule::ItemMissingWhen => "item_missing_when",
            Rule::ItemAfterTarget => "item_after_target",
            Rule::ItemTooBig => "item_too_big",
            Rule::OutcomeVague => "outcome_vague",
        }
    }

    /// Whether the rule only warns (it never turns a plan into an aspiration).
    pub fn is_warning(self) -> bool {
        matches!(self, Rule::ItemTooBig | Rule::OutcomeVague)
    }

    /// What the rule asks for, phrased as the passing condition (for checklists).
    pub fn requirement(self) -> &'static str {
        match self {
            Rule::GoalMissingOwner => "the goal has one accountable owner",
            Rule::GoalMissingDate => "the goal has a target date or milestone",
            Rule::GoalMissingOutcome => "the goal has a measurable outcome",
            Rule::GoalNoItems => "the goal has at least one open or done work item",
            Rule::ItemMissingWhat => {
                "every open item says what will be delivered (title and outcome)"
            }
            Rule::ItemMissingWho => "every open item has exactly one owner",
            Rule::ItemMissingWhen => "every open item has a due date or milestone",
            Rule::ItemAfterTarget => "no open item is due after the goal's target",
            Rule::ItemTooBig => "every step fits the workspace step limit",
            Rule::OutcomeVague => "outcomes are measurable, not themes",
        }
    }

    /// How to fix a failure of this rule, with the command that does it.
    pub fn fix(self) -> &'static str {
        match self {
            Rule::GoalMissingOwner => "name an owner: landed goal edit GOAL --owner HANDLE",
            Rule::GoalMissingDate => {
                "set a target: landed goal edit GOAL --by DATE (or --milestone NAME)"
            }
            Rule::GoalMissingOutcome => {
                "state the outcome with a number or done-criterion: landed goal edit GOAL --outcome TEXT"
            }
            Rule::GoalNoItems => {
                "add the first step: landed item add TITLE --goal GOAL --owner HANDLE --due DATE --outcome TEXT"
            }
            Rule::ItemMissingWhat => "say when it is done: landed item edit ITEM --outcome TEXT",
            Rule::ItemMissingWho => "give it one owner: landed item edit ITEM --owner HANDLE",
            Rule::ItemMissingWhen => {
                "give it a date: landed item edit ITEM --due DATE (or --milestone NAME)"
            }
            Rule::ItemAfterTarget => {
                "pull the item in before the target, or move the goal's target (both need --reason once set)"
            }
            Rule::ItemTooBig => {
                "split it into steps of hours or days: landed item add ... --goal GOAL"
            }
            Rule::OutcomeVague => {
                "add a number, threshold or concrete deliverable (\"p99 < 200 ms\", \"runbook published\")"
            }
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rule, D::Error> {
        let code = String::deserialize(d)?;
        Rule::ALL
            .into_iter()
            .find(|r| r.as_str() == code)
            .ok_or_else(|| serde::de::Error::custom(format!("`{code}` is not a rule")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let all = Rule::ALL;
        let codes: std::collections::BTreeSet<_> = all.iter().map(|r| r.as_str()).collect();
        assert_eq!(codes.len(), all.len());
        for c in codes {
            assert!(
                c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{c}"
            );
        }
        assert_eq!(all.iter().filter(|r| r.is_warning()).count(), 2);
    }

    #[test]
    fn codes_read_back_as_their_rule() {
        for r in Rule::ALL {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), r);
        }
        assert!(serde_json::from_str::<Rule>("\"no_such_rule\"").is_err());
    }
}
