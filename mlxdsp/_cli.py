"""Work in progress."""
def main(argv=None): return 0
