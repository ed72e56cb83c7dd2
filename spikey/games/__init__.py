"""Games (reinforcement-learning environments) that drive networks."""
