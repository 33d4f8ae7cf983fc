from harbour.cli import main

main()
