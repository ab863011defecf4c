import sys

from hwtui.cli import main

sys.exit(main())
