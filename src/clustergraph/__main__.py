from clustergraph.cli import main

main()
