package diagnose

// NothingToJudge reports whether r rests on nothing: no bounce and no
// fake notice was read, so its overall verdict (insufficient_evidence)
// says that there was nothing to judge, not that all is well.
func (r *Report) NothingToJudge() bool {
	return r.Inputs.Bounces == 0 && r.FakeBounces == 0
}
