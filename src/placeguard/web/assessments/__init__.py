"""Site risk assessments: answers, review, costed plans, action items and risk acceptance."""
