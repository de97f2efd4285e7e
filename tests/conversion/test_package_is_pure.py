import subprocess
import sys


def test_conversion_imports_nothing_from_django() -> None:
    probe = (
        "import sys, conversion, conversion.api, conversion.openai, conversion.anthropic, "
        "conversion.gemini, conversion.acontext; "
        "print(sorted(name for name in sys.modules "
        "if name.split('.')[0] in ('django', 'rest_framework')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
