"""The demo's routing models, trained on the demo district's own closed events at load_demo
(core.demo; registered in apps.py), exactly as the nightly task trains a deployment's."""

from civicgrid.events.models import Category
from civicgrid.routing import services
from civicgrid.routing.models import Classifier, Target

# Reports of these categories through the API or Open311 go straight to the suggested
# department when it is at least this sure (shared bikes, street lamps: one department each).
AUTO_ROUTED = {"0403": 0.9, "1102": 0.9}


def demo_part(district: str, *, progress: bool) -> str:
    if Classifier.objects.exists():
        return ""
    for code, confidence in AUTO_ROUTED.items():
        Category.objects.filter(code=code).update(auto_route_confidence=confidence)
    trained = [
        outcome
        for target in (Target.CATEGORY, Target.DEPARTMENT)
        if (outcome := services.train_deployment(target, force=True)) is not None
    ]
    return "; ".join(
        f"routing model {o.classifier} trained on {o.classifier.rows} closed events "
        f"(macro-F1 {o.classifier.macro_f1:.3f})"
        for o in trained
    )
