from django.http import HttpResponse


def member_search(request):
    return HttpResponse("")


def member_detail(request, pk):
    return HttpResponse("")


def add_contact(request, pk):
    return HttpResponse("")
