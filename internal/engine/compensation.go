package engine

import (
	"math"
	"strconv"
)

// CompensationRule is a figure the law sets, with its inputs and basis.
type CompensationRule struct {
	// Inputs the rule reads; Required ones must be present.
	Required, Optional []string
	Law                []string
	compute            func(in map[string]int64) (amount int64, minApplied bool)
}

// CompensationRules are the figures of law-facts.md §D. Amounts are in fen
// (0.01 yuan) so no figure is ever off by a rounding error.
var CompensationRules = map[string]CompensationRule{
	// CPL Art. 55(1): extra = 3 × price, at least 500 yuan.
	"fraud_3x": {Required: []string{"price"}, Law: []string{"cpl_55"},
		compute: func(in map[string]int64) (int64, bool) { return atLeast(3*in["price"], 500_00) }},
	// FSL Art. 148 (SPC-F24 Art. 1: on the price actually paid): extra =
	// the larger of 10 × price and 3 × loss, at least 1,000 yuan.
	"food_10x": {Required: []string{"price"}, Optional: []string{"loss"}, Law: []string{"fsl_148", "spcf24_1"},
		compute: func(in map[string]int64) (int64, bool) { return atLeast(max(10*in["price"], 3*in["loss"]), 1000_00) }},
	// SPC-P Art. 14: within 7 days of paying, the whole prepayment back.
	"prepaid_cooling_off": {Required: []string{"prepaid"}, Law: []string{"spcp_14"},
		compute: func(in map[string]int64) (int64, bool) { return in["prepaid"], false }},
	// SPC-P Art. 15: prepayment minus the value already consumed.
	"prepaid_balance": {Required: []string{"prepaid", "consumed"}, Law: []string{"spcp_15"},
		compute: func(in map[string]int64) (int64, bool) { return max(in["prepaid"]-in["consumed"], 0), false }},
	// SPC-P Art. 22: unlimited-use plans, prepayment × remaining ÷ total
	// term (both in months).
	"unlimited_plan": {Required: []string{"prepaid", "remaining_months", "total_months"}, Law: []string{"spcp_22"},
		compute: func(in map[string]int64) (int64, bool) {
			total, rem := in["total_months"], min(in["remaining_months"], in["total_months"])
			if total <= 0 || rem < 0 {
				return 0, false
			}
			return in["prepaid"] * rem / total, false
		}},
}

func atLeast(v, floor int64) (int64, bool) {
	if v < floor {
		return floor, true
	}
	return v, false
}

// Compensation is a computed figure.
type Compensation struct {
	Rule string
	// Amount is yuan with two decimals, like money facts.
	Amount string
	// Inputs are the facts used, as given.
	Inputs map[string]string
	// MinApplied: the statutory minimum decided the amount.
	MinApplied bool
	// Established: the answers establish the rule's legal conditions (see
	// CompensationSpec.Established); otherwise the figure is conditional.
	Established bool
	Law         []string
}

// ComputeCompensation applies rule to inputs given as fact values (money in
// yuan, counts as integers). ok is false if the rule is unknown or a
// required input is missing or not a number.
func ComputeCompensation(rule string, inputs map[string]string) (Compensation, bool) {
	r, ok := CompensationRules[rule]
	if !ok {
		return Compensation{}, false
	}
	in := map[string]int64{}
	used := map[string]string{}
	for _, name := range append(append([]string(nil), r.Required...), r.Optional...) {
		v, present := inputs[name]
		if !present {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || f > 1e12 {
			return Compensation{}, false
		}
		if name == "remaining_months" || name == "total_months" {
			in[name] = int64(f)
		} else {
			in[name] = int64(math.Round(f * 100))
		}
		used[name] = v
	}
	for _, name := range r.Required {
		if _, ok := used[name]; !ok {
			return Compensation{}, false
		}
	}
	amount, minApplied := r.compute(in)
	return Compensation{Rule: rule, Amount: FormatFen(amount), Inputs: used, MinApplied: minApplied, Law: r.Law}, true
}

// FormatFen writes fen as yuan with two decimals.
func FormatFen(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return sign + strconv.FormatInt(fen/100, 10) + "." + strconv.FormatInt(fen%100/10, 10) + strconv.FormatInt(fen%10, 10)
}
