from pathlib import Path

from hypothesis import Phase, settings

# Under mutmut (which runs a copy of these tests in mutants/), a property test that kills a mutant
# would go on to shrink its failing example: minutes per mutant that nobody reads.
if "mutants" in Path(__file__).resolve().parts:
    settings.register_profile("mutmut", phases=(Phase.explicit, Phase.reuse, Phase.generate))
    settings.load_profile("mutmut")
