
# warning: 'AS' should match 'from' cmd casing.
#
from scratch AS base

from scratch as base2
